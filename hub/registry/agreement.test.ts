import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agreementInForce, checkNarrowing, isOverdue, nextStatus, type RequestRecord, reasonRequired, toAgreement } from './agreement.ts';
import { type ConnectionRequest, checkConnectionRequest } from './connection-request.ts';

const request = (() => {
  const checked = checkConnectionRequest(
    JSON.parse(readFileSync(new URL('../../deploy/examples/connection-request.json', import.meta.url), 'utf8')),
  );
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  return checked.value;
})() as ConnectionRequest;

describe('request lifecycle', () => {
  it('R11: a refusal needs a written reason; approval does not', () => {
    expect(reasonRequired('refuse')).toBe(true);
    expect(reasonRequired('approve')).toBe(false);
    expect(reasonRequired('revoke')).toBe(true);
  });

  it('R33: follows submitted → approved → suspended → approved → revoked, and nothing leaves revoked or refused', () => {
    expect(nextStatus('submitted', 'approve')).toBe('approved');
    expect(nextStatus('submitted', 'refuse')).toBe('refused');
    expect(nextStatus('approved', 'suspend')).toBe('suspended');
    expect(nextStatus('suspended', 'reinstate')).toBe('approved');
    expect(nextStatus('suspended', 'revoke')).toBe('revoked');
    expect(nextStatus('approved', 'revoke')).toBe('revoked');
    expect(nextStatus('revoked', 'reinstate')).toBeNull();
    expect(nextStatus('refused', 'approve')).toBeNull();
    expect(nextStatus('approved', 'approve')).toBeNull();
    expect(nextStatus('submitted', 'suspend')).toBeNull();
  });

  it('R11: a request still undecided after its deadline is overdue; a decided one never is', () => {
    const deadline = new Date('2026-03-13T16:59:59.999Z');
    expect(isOverdue({ status: 'submitted', deadline }, new Date('2026-03-13T16:00:00Z'))).toBe(false);
    expect(isOverdue({ status: 'submitted', deadline }, new Date('2026-03-13T17:00:00Z'))).toBe(true);
    expect(isOverdue({ status: 'refused', deadline }, new Date('2026-04-01T00:00:00Z'))).toBe(false);
  });
});

describe('approval terms', () => {
  it('R7: approval may narrow the grants, quota and validity', () => {
    const narrowed = checkNarrowing(request, {
      grants: [{ field: 'fullName', modes: ['match'] }],
      quota: { ratePerSecond: 5, dailyLimit: 100 },
    });
    expect(narrowed).toEqual({
      ok: true,
      value: {
        grants: [{ field: 'fullName', modes: ['match'] }],
        quota: { ratePerSecond: 5, dailyLimit: 100 },
        validity: request.validity,
      },
    });
  });

  it('R7: approval never widens what was asked for', () => {
    const wider = checkNarrowing(request, {
      grants: [
        { field: 'bloodType', modes: ['disclose'] },
        { field: 'dateOfBirth', modes: ['disclose'] },
      ],
      quota: { ratePerSecond: 50, dailyLimit: 100 },
    });
    expect(wider).toEqual({
      ok: false,
      problems: [
        'approval cannot grant bloodType for disclose: the request did not ask for it',
        'approval cannot grant dateOfBirth for disclose: the request did not ask for it',
        'approved quota.ratePerSecond 50 exceeds the requested 20',
      ],
    });
    expect(checkNarrowing(request, { validity: { from: '2026-01-01T00:00:00Z', until: '2026-06-01T00:00:00Z' } }).ok).toBe(false);
  });

  it('R12/R23: an agreement carries whether consent is needed and whether usage is charged', () => {
    const at = new Date('2026-03-02T02:00:00Z');
    const record: RequestRecord = {
      _id: 'cr-1',
      status: 'approved',
      submittedAt: at,
      deadline: at,
      request,
      terms: { grants: request.grants, quota: request.quota, validity: request.validity },
      history: [
        { status: 'submitted', at, by: { organisation: 'vietbank' } },
        { status: 'approved', at, by: { officer: 'c06-head' } },
      ],
    };
    const agreement = toAgreement(record);
    expect(agreement).toMatchObject({ id: 'cr-1', consentRequired: true, feeClass: 'chargeable', approvedBy: 'c06-head' });
    expect(toAgreement({ ...record, status: 'submitted' })).toBeNull();
    expect(agreementInForce(agreement!, at)).toEqual({ ok: true });
    expect(agreementInForce({ ...agreement!, status: 'suspended' }, at)).toEqual({ ok: false, reason: 'AGREEMENT_SUSPENDED' });
    expect(agreementInForce(agreement!, new Date('2027-03-01T00:00:00Z'))).toEqual({ ok: false, reason: 'AGREEMENT_EXPIRED' });
    expect(agreementInForce(agreement!, new Date('2026-02-01T00:00:00Z'))).toEqual({ ok: false, reason: 'AGREEMENT_NOT_YET_VALID' });
  });
});
