import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { OutgoingRecord } from '../../kafka/records.ts';
import { traceIdOf } from '../../telemetry/trace-context.ts';
import { toEvent } from '../residence/to-event.ts';
import { FileCheckpoint } from './checkpoint.ts';
import { type NativeItem, runSourceConnector } from './source-connector.ts';

/** A stand-in for Kafka that acknowledges sends, and can fail one to play a crash. */
class FakePublisher {
  readonly sent: OutgoingRecord[] = [];
  failOnSend: number | undefined;
  private sends = 0;

  async publish(_topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.sends += 1;
    if (this.sends === this.failOnSend) throw new Error('broker went away');
    this.sent.push(...records);
  }
}

function items(count: number, bad: Set<number> = new Set()): NativeItem[] {
  return Array.from({ length: count }, (_, index) => {
    const position = index + 1;
    return {
      position,
      record: {
        ma_ho_so: `CT-${position}`,
        loai_cu_tru: bad.has(position) ? 'CHUYEN_DI_SAO_HOA' : 'NOI_O_HIEN_TAI',
        so_dinh_danh: '001090012345',
        ho_ten: 'Nguyễn Văn An',
        dia_chi_tinh: 'Hà Nội',
        dia_chi_xa: 'Phường Láng',
        dia_chi_chi_tiet: `Số ${position}`,
        ngay_dang_ky: '02/05/2024 09:15:00',
      },
    };
  });
}

async function run(publisher: FakePublisher, checkpoint: FileCheckpoint, feed: NativeItem[], spans = new InMemorySpanExporter()) {
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
  return runSourceConnector({
    tracer,
    source: 'residence',
    items: feed,
    toEvent,
    publisher: publisher as unknown as RecordPublisher,
    checkpoint,
    batchSize: 4,
  });
}

describe('the source connector loop', () => {
  it('R26: after a failed send, a restart resumes at the first unacknowledged batch: nothing skipped, nothing sent twice', async () => {
    const checkpoint = new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-sdk-')), 'feed.json'));
    const feed = items(10);
    const crashing = new FakePublisher();
    crashing.failOnSend = 2;
    await expect(run(crashing, checkpoint, feed)).rejects.toThrow('broker went away');
    expect(await checkpoint.load()).toBe(4);

    const restarted = new FakePublisher();
    const summary = await run(restarted, checkpoint, feed);
    expect(summary.skipped).toBe(4);
    const details = [...crashing.sent, ...restarted.sent].map((record) => JSON.parse(String(record.value)).payload.address.detail);
    expect(details).toEqual(feed.map((item) => ('record' in item ? item.record.dia_chi_chi_tiet : '')));
  });

  it('R26: sets a record it cannot map aside with its reason and carries on with the rest', async () => {
    const checkpoint = new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-sdk-')), 'feed.json'));
    const publisher = new FakePublisher();
    const summary = await run(publisher, checkpoint, [...items(5, new Set([3])), { position: 6, error: 'line 6 is not JSON' }]);
    expect(summary).toMatchObject({
      published: 4,
      rejected: 2,
      rejectedByReason: { 'unknown-type': 1, 'malformed-record': 1 },
      position: 6,
    });
  });

  it('R26: sends records keyed by personal id with the event id, schema and W3C traceparent headers', async () => {
    const checkpoint = new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-sdk-')), 'feed.json'));
    const publisher = new FakePublisher();
    await run(publisher, checkpoint, items(1));
    const [record] = publisher.sent;
    const event = JSON.parse(String(record!.value));
    expect(record!.key).toBe('001090012345');
    expect(record!.headers).toEqual({
      'dancu-event-id': event.eventId,
      'dancu-schema': 'dancu:events/residence/current-residence-declared/v1',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
  });

  it('R35: traces each record from its read to its send, and puts no personal data on the spans', async () => {
    const checkpoint = new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-sdk-')), 'feed.json'));
    const publisher = new FakePublisher();
    const spans = new InMemorySpanExporter();
    await run(publisher, checkpoint, items(2, new Set([2])), spans);
    const finished = spans.getFinishedSpans();
    const [read, rejectedRead] = finished.filter((span) => span.name === 'connector.read');
    const send = finished.find((span) => span.name === 'send dancu.source.residence.v1');
    expect(read?.attributes).toMatchObject({
      'dancu.source': 'residence',
      'dancu.event_type': 'current-residence-declared',
      'dancu.outcome': 'accepted',
    });
    expect(rejectedRead?.attributes).toMatchObject({ 'dancu.outcome': 'rejected', 'dancu.reason': 'unknown-type' });
    expect(send?.parentSpanContext?.spanId).toBe(read?.spanContext().spanId);
    expect(send?.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': 'dancu.source.residence.v1' });
    const [record] = publisher.sent;
    expect(traceIdOf(record!.headers!.traceparent)).toBe(read?.spanContext().traceId);
    expect(record!.headers!.traceparent).toContain(send!.spanContext().spanId);
    const values = JSON.stringify(finished.map((span) => span.attributes));
    for (const personal of ['001090012345', 'Nguyễn', 'Láng', 'CT-1']) expect(values).not.toContain(personal);
  });
});
