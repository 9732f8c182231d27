import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../kafka/records.ts';
import { validateDeadLetter } from '../../schemas/validators.ts';
import { DETAIL_LIMIT, deadLetterOf, ORIGINAL_LIMIT } from './dead-letter.ts';

function record(value: Buffer, extra: Partial<RawRecord> = {}): RawRecord {
  return {
    topic: 'dancu.source.residence.v1',
    partition: 2,
    offset: '417',
    key: Buffer.from('001090123456'),
    value,
    headers: { 'dancu-event-id': 'x' },
    timestamp: '0',
    ...extra,
  };
}

/** The broker's default max.message.bytes is 1 MiB; a letter must fit well within it. */
const KAFKA_RECORD_LIMIT = 1024 * 1024;

describe('dead letters', () => {
  it('a rejected record small enough travels whole with its letter', () => {
    const value = Buffer.from('{"not": "an event"');
    const letter = deadLetterOf(record(value), { reason: 'malformed-json', detail: 'not JSON' });
    expect(letter.original).toEqual({ bytes: value.length, sha256: createHash('sha256').update(value).digest('hex'), included: true });
    expect(Buffer.from(letter.originalValueBase64!, 'base64').equals(value)).toBe(true);
    expect(letter.truncated).toBeUndefined();
    expect(validateDeadLetter(letter), JSON.stringify(validateDeadLetter.errors)).toBe(true);
  });

  it('a 900 KB record, oversized headers and key and a long detail give a letter that still fits a Kafka record, saying what was left out', () => {
    const value = Buffer.alloc(900_000, 'a');
    const hostile = record(value, { key: Buffer.alloc(5_000, 'k'), headers: { junk: 'h'.repeat(100_000) } });
    const letter = deadLetterOf(hostile, { reason: 'message-too-large', detail: 'd'.repeat(50_000), path: '/p'.repeat(1_000) });
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThan(KAFKA_RECORD_LIMIT / 4);
    expect(letter.originalValueBase64).toBeUndefined();
    expect(letter.original).toEqual({ bytes: 900_000, sha256: createHash('sha256').update(value).digest('hex'), included: false });
    expect(letter.key).toBeNull();
    expect(letter.headers).toEqual({});
    expect(letter.detail.length).toBeLessThanOrEqual(DETAIL_LIMIT);
    expect(letter.truncated).toEqual(['original', 'key', 'headers', 'detail', 'path']);
    // Where to fetch the original while the source topic retains it.
    expect(letter).toMatchObject({ sourceTopic: 'dancu.source.residence.v1', partition: 2, offset: '417' });
    expect(validateDeadLetter(letter), JSON.stringify(validateDeadLetter.errors)).toBe(true);
  });

  it('the largest original kept whole is ORIGINAL_LIMIT bytes', () => {
    expect(deadLetterOf(record(Buffer.alloc(ORIGINAL_LIMIT, 'a')), { reason: 'message-too-large', detail: '' }).original.included).toBe(
      true,
    );
    expect(deadLetterOf(record(Buffer.alloc(ORIGINAL_LIMIT + 1, 'a')), { reason: 'message-too-large', detail: '' }).original.included).toBe(
      false,
    );
  });
});
