import { describe, expect, it } from 'vitest';
import { newTraceparent, validTraceparent } from './trace-context.ts';

describe('W3C traceparent on Kafka records', () => {
  it('R35: makes valid, distinct sampled contexts to tie an exchange\'s records together', () => {
    const a = newTraceparent();
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(validTraceparent(a)).toBe(a);
    expect(newTraceparent()).not.toBe(a);
  });

  it('R35: drops malformed or all-zero contexts a foreign producer might send', () => {
    expect(validTraceparent(undefined)).toBeUndefined();
    expect(validTraceparent('00-abc-def-01')).toBeUndefined();
    expect(validTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeUndefined();
    expect(validTraceparent(`00-${'A'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeUndefined();
  });
});
