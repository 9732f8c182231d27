import { describe, expect, it } from 'vitest';
import type { QueuedDeadLetter } from '../ingest/dead-letter-queue.ts';
import { redactDeadLetter } from './redact-dead-letter.ts';

const PERSONAL_ID = '001090000001';
const letter: QueuedDeadLetter = {
  reason: 'schema-violation',
  detail: `personalId "${PERSONAL_ID}" does not match the key ${PERSONAL_ID}`,
  path: '/personalId',
  sourceTopic: 'dancu.source.residence.v1',
  partition: 0,
  offset: '7',
  key: PERSONAL_ID,
  original: { bytes: 40, sha256: 'f'.repeat(64), included: true },
  originalValueBase64: Buffer.from(`{"personalId":"${PERSONAL_ID}"}`).toString('base64'),
  headers: { 'dancu-event-id': `ev-${PERSONAL_ID}` },
  rejectedAt: '2026-11-30T00:00:00Z',
  dlqPartition: 0,
  dlqOffset: '3',
};

describe('a dead letter as operators see it by default', () => {
  it('R2, R25: the key, quoted values, header values and the original bytes are redacted; the reason, origin and digest stay', () => {
    const shown = redactDeadLetter(letter);
    expect(JSON.stringify(shown)).not.toContain(PERSONAL_ID);
    expect(shown).not.toHaveProperty('originalValueBase64');
    expect(shown).toMatchObject({
      reason: 'schema-violation',
      path: '/personalId',
      sourceTopic: 'dancu.source.residence.v1',
      offset: '7',
      original: letter.original,
      headers: { 'dancu-event-id': '…' },
    });
    expect(shown.detail).toBe('personalId "…" does not match the key •••');
  });
});
