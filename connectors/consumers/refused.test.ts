import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { Refusal } from '../../hub/exchange/refusal.ts';
import { REASON_METADATA_KEY } from '../../proto/metadata.ts';
import { REFUSAL_REASONS } from '../../proto/reasons.ts';
import { Refused } from './refused.ts';

function serviceError(code: status, reason?: string): ServiceError {
  const metadata = new Metadata();
  if (reason) metadata.set(REASON_METADATA_KEY, reason);
  return Object.assign(new Error('refused'), { code, details: `${reason ?? ''}: details`, metadata });
}

describe('a refusal as a consumer sees it', () => {
  it('carries the status and the dancu-reason from the trailing metadata', () => {
    const refused = Refused.from(serviceError(status.PERMISSION_DENIED, 'CONSENT_MISSING'));
    expect(refused).toMatchObject({ status: status.PERMISSION_DENIED, reason: 'CONSENT_MISSING', code: 'CONSENT_MISSING' });
    expect(refused.report).toEqual({ status: 'PERMISSION_DENIED', reason: 'CONSENT_MISSING', detail: 'CONSENT_MISSING: details' });
  });

  it('says a retry can help only when waiting can: the hub unreachable or a rate limit', () => {
    const retryable = (code: status, reason?: string) => Refused.from(serviceError(code, reason)).retryable;
    expect(retryable(status.UNAVAILABLE)).toBe(true);
    expect(retryable(status.DEADLINE_EXCEEDED)).toBe(true);
    expect(retryable(status.RESOURCE_EXHAUSTED, 'RATE_LIMITED')).toBe(true);
    expect(retryable(status.RESOURCE_EXHAUSTED, 'THROTTLED')).toBe(false);
    expect(retryable(status.RESOURCE_EXHAUSTED, 'QUOTA_EXCEEDED')).toBe(false);
    expect(retryable(status.PERMISSION_DENIED, 'AGREEMENT_SUSPENDED')).toBe(false);
    expect(retryable(status.NOT_FOUND, 'CITIZEN_NOT_FOUND')).toBe(false);
    expect(retryable(status.UNAVAILABLE, 'JOURNAL_UNAVAILABLE')).toBe(true);
  });

  it("decides from the hub's own reason table: every reason is retryable for the consumer exactly when the hub says its refusal is", () => {
    for (const [reason, entry] of Object.entries(REFUSAL_REASONS)) {
      const consumerSide = Refused.from(serviceError(status[entry.kind], reason)).retryable;
      const hubSide = new Refusal(reason as keyof typeof REFUSAL_REASONS, 'x').retryable;
      expect({ reason, consumerSide }).toEqual({ reason, consumerSide: hubSide });
    }
  });

  it('tells a person what to do when a consumer must stop', () => {
    expect(Refused.from(serviceError(status.PERMISSION_DENIED, 'AGREEMENT_SUSPENDED')).advice).toMatch(/agreement/);
    expect(Refused.from(serviceError(status.OUT_OF_RANGE, 'CURSOR_EXPIRED')).advice).toMatch(/rebuild the replica/);
  });
});
