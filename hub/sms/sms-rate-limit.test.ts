import { describe, expect, it } from 'vitest';
import { SmsRateLimit } from './sms-rate-limit.ts';

describe('the SMS rate limit per number', () => {
  it('R20: a number past its lookups in the window is told once, then not answered; other numbers and the next window are served', () => {
    let now = 0;
    const limit = new SmsRateLimit({ perWindow: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3].map(() => limit.admit('+84912345678'))).toEqual(['admitted', 'admitted', 'admitted']);
    expect(limit.admit('+84912345678')).toBe('first-refusal');
    expect(limit.admit('+84912345678')).toBe('refused');
    expect(limit.admit('+84987654321')).toBe('admitted');
    now = 60_000;
    expect(limit.admit('+84912345678')).toBe('admitted');
  });
});
