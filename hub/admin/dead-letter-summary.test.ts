import { describe, expect, it } from 'vitest';
import type { QueuedDeadLetter } from '../ingest/dead-letter-queue.ts';
import { summariseDeadLetters } from './dead-letter-summary.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function letter(offset: string, headers: Record<string, string>): QueuedDeadLetter {
  return {
    reason: 'malformed-json',
    detail: 'Unexpected token "N" in "Nguyễn"',
    sourceTopic: 'dancu.source.residence.v1',
    partition: 0,
    offset,
    key: '001090000001',
    original: { bytes: 10, sha256: 'f'.repeat(64), included: false },
    headers,
    rejectedAt: `2026-11-30T00:00:0${offset}Z`,
    dlqPartition: 0,
    dlqOffset: offset,
  };
}

describe("the dashboard's dead-letter summary", () => {
  it('R26: links the latest letter of a reason to its record’s trace when the record carried a traceparent, and shows no values', () => {
    const traced = summariseDeadLetters(
      { letters: [letter('1', {}), letter('2', { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` })], unreadable: 0 },
      new Date(),
    );
    expect(traced.reasons[0]!.latest).toMatchObject({ offset: '2', traceId: TRACE, detail: 'Unexpected token "…"' });
    expect(JSON.stringify(traced)).not.toContain('Nguyễn');
    const untraced = summariseDeadLetters({ letters: [letter('1', { traceparent: 'garbage' })], unreadable: 0 }, new Date());
    expect(untraced.reasons[0]!.latest.traceId).toBeNull();
  });
});
