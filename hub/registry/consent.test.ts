import { describe, expect, it } from 'vitest';
import { type ConsentRecord, consentStatus } from './consent.ts';

const at = new Date('2026-03-02T02:00:00Z');
const granted: ConsentRecord = {
  _id: 'cr-1:001190000001',
  agreementId: 'cr-1',
  personalId: '001190000001',
  state: 'granted',
  channel: 'VNeID',
  at,
  history: [],
};

describe('consent (R12)', () => {
  it('R12: a state body needs no consent', () => {
    expect(consentStatus({ consentRequired: false }, null)).toEqual({ required: false });
  });

  it("R12: a requester that is not a state body needs the citizen's confirmed consent", () => {
    expect(consentStatus({ consentRequired: true }, null)).toEqual({ required: true, granted: false, reason: 'CONSENT_MISSING' });
    expect(consentStatus({ consentRequired: true }, granted)).toEqual({ required: true, granted: true, channel: 'VNeID', since: at });
  });

  it('R12: a revoked consent no longer allows exploitation', () => {
    expect(consentStatus({ consentRequired: true }, { ...granted, state: 'revoked' })).toEqual({
      required: true,
      granted: false,
      reason: 'CONSENT_REVOKED',
    });
  });
});
