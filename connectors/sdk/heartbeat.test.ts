import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { OutgoingRecord } from '../../kafka/records.ts';
import { HEARTBEATS_TOPIC } from '../../kafka/topics.ts';
import { type Heartbeat, parseHeartbeat } from '../../schemas/heartbeat.ts';
import { toEvent } from '../residence/to-event.ts';
import { FileCheckpoint } from './checkpoint.ts';
import { HeartbeatPublisher } from './heartbeat.ts';
import { type NativeItem, runSourceConnector } from './source-connector.ts';

/** Acknowledges sends, keeping heartbeats apart; can fail every send of the source topic. */
class FakePublisher {
  readonly beats: Heartbeat[] = [];
  readonly keys: Array<string | null> = [];
  failSources = false;

  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (topic === HEARTBEATS_TOPIC) {
      for (const record of records) {
        this.keys.push(record.key);
        this.beats.push(parseHeartbeat(String(record.value))!);
      }
    } else if (this.failSources && records.length > 0) {
      throw new Error('broker went away');
    }
  }
}

function items(count: number, badAt?: number): NativeItem[] {
  return Array.from({ length: count }, (_, index) => ({
    position: index + 1,
    record: {
      ma_ho_so: `CT-${index + 1}`,
      loai_cu_tru: index + 1 === badAt ? 'CHUYEN_DI_SAO_HOA' : 'NOI_O_HIEN_TAI',
      so_dinh_danh: '001090012345',
      ho_ten: 'Nguyễn Văn An',
      dia_chi_tinh: 'Hà Nội',
      dia_chi_xa: 'Phường Láng',
      dia_chi_chi_tiet: `Số ${index + 1}`,
      ngay_dang_ky: '02/05/2024 09:15:00',
    },
  }));
}

async function run(publisher: FakePublisher, feed: NativeItem[]) {
  return runSourceConnector({
    source: 'residence',
    items: feed,
    toEvent,
    publisher: publisher as unknown as RecordPublisher,
    checkpoint: new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-beat-')), 'feed.json')),
    batchSize: 4,
    heartbeat: { connector: 'residence.test', intervalMs: 60_000 },
  });
}

describe('connector heartbeats', () => {
  it('R26: a connector beats when it starts and, on a clean stop, sends a final stopping beat with its counts and checkpoint', async () => {
    const publisher = new FakePublisher();
    await run(publisher, items(6, 3));
    expect(publisher.beats.map((beat) => beat.state)).toEqual(['starting', 'stopping']);
    expect(new Set(publisher.keys)).toEqual(new Set(['residence.test']));
    expect(publisher.beats[1]).toMatchObject({
      connector: 'residence.test',
      kind: 'source',
      topic: 'dancu.source.residence.v1',
      position: { read: 6, checkpoint: 6 },
      counts: { published: 5, rejected: 1, skipped: 0 },
      lastError: { message: 'record at position 3 rejected: unknown-type' },
      intervalMs: 60_000,
    });
    // No personal data: the rejected record's values never reach the heartbeat.
    expect(JSON.stringify(publisher.beats)).not.toMatch(/001090012345|Nguyễn|Số 3/);
  });

  it('R26: a run that ends in an error sends a final failed beat carrying the error', async () => {
    const publisher = new FakePublisher();
    publisher.failSources = true;
    await expect(run(publisher, items(6))).rejects.toThrow('broker went away');
    expect(publisher.beats.at(-1)).toMatchObject({ state: 'failed', lastError: { message: 'Error: broker went away' } });
  });

  it('R26: beats every interval, running while records come in and idle while none do', async () => {
    const publisher = new FakePublisher();
    let read = 0;
    const beats = new HeartbeatPublisher({
      publisher,
      connector: 'consumer.test',
      kind: 'consumer',
      topic: 'dancu.changes.v1',
      intervalMs: 20,
      status: () => ({
        state: read > 0 ? 'running' : 'idle',
        position: { read, checkpoint: read },
        counts: { published: read, rejected: 0, skipped: 0 },
        lastError: null,
      }),
    });
    beats.start();
    await new Promise((resolve) => setTimeout(resolve, 70));
    read = 5;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await beats.stop('stopping');
    expect(publisher.beats.length).toBeGreaterThanOrEqual(4);
    expect(publisher.beats[0]!.state).toBe('idle');
    expect(publisher.beats.at(-2)!.state).toBe('running');
    expect(publisher.beats.at(-1)).toMatchObject({ state: 'stopping', counts: { published: 5 } });
    expect(new Set(publisher.beats.map((beat) => beat.startedAt)).size).toBe(1);
  });

  it('a value that is not a heartbeat is recognised as such', () => {
    expect(parseHeartbeat(Buffer.from('{"connector":"x"}'))).toBeUndefined();
    expect(parseHeartbeat(Buffer.from('not json'))).toBeUndefined();
    expect(parseHeartbeat(null)).toBeUndefined();
  });
});

describe('a heartbeat publisher on a Kafka that does not answer', () => {
  it('stopping a connector does not hang on its last beat', async () => {
    const stuck = { publish: () => new Promise<void>(() => {}) };
    const beats = new HeartbeatPublisher({
      publisher: stuck,
      connector: 'stuck.test',
      kind: 'source',
      topic: 'dancu.source.health.v1',
      status: () => ({
        state: 'idle',
        position: { read: 0, checkpoint: 0 },
        counts: { published: 0, rejected: 0, skipped: 0 },
        lastError: null,
      }),
      finalBeatMs: 50,
    });
    beats.start();
    // A publish that never settles: stop still returns (the test's own timeout is the only clock).
    await expect(beats.stop('stopping')).resolves.toBeUndefined();
  });
});
