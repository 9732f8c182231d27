import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../kafka/records.ts';
import { groupByReason, readDeadLetters } from './dead-letter-queue.ts';

function record(offset: number, value: unknown): RawRecord {
  return {
    topic: 'dancu.dlq.v1',
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    timestamp: '0',
  };
}

const letter = (reason: string, sourceTopic: string, rejectedAt: string) => ({
  reason,
  detail: `${reason} detail`,
  sourceTopic,
  partition: 1,
  offset: '7',
  key: '001090012345',
  originalValueBase64: '',
  headers: {},
  rejectedAt,
});

describe('the dead-letter queue view', () => {
  it('groups dead letters by reason, most frequent first, with source topics and the latest example', () => {
    const queue = readDeadLetters([
      record(0, letter('schema-violation', 'dancu.source.residence.v1', '2026-01-01T00:00:00.000Z')),
      record(1, letter('malformed-json', 'dancu.source.health.v1', '2026-01-02T00:00:00.000Z')),
      record(2, letter('schema-violation', 'dancu.source.health.v1', '2026-01-03T00:00:00.000Z')),
      record(3, 'not json'),
    ]);
    expect(queue.unreadable).toBe(1);
    const groups = groupByReason(queue.letters);
    expect(groups.map((group) => [group.reason, group.count])).toEqual([
      ['schema-violation', 2],
      ['malformed-json', 1],
    ]);
    expect(groups[0]).toMatchObject({
      bySourceTopic: { 'dancu.source.residence.v1': 1, 'dancu.source.health.v1': 1 },
      firstRejectedAt: '2026-01-01T00:00:00.000Z',
      lastRejectedAt: '2026-01-03T00:00:00.000Z',
      latest: { dlqOffset: '2', sourceTopic: 'dancu.source.health.v1' },
    });
  });
});
