import { describe, expect, it } from 'vitest';
import { checkCitizenKey, checkCitizenKeys, checkContext, checkCount, checkFields, LIMITS } from './exchange-call.ts';
import { Refusal } from './refusal.ts';

function refusalOf(action: () => unknown): Refusal | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
}

const context = { agreementId: 'agr-1', purpose: 'ADMINISTRATIVE_PROCEDURE', caseReference: 'HS-2026-1', officerId: 'officer-7' };

describe('checking a consumer request before any rule runs', () => {
  it('R2: identifiers crafted as MongoDB operators are INVALID_ARGUMENT', () => {
    for (const personalId of ['{"$ne":null}', '$where', '00109000000', '001090000001 ', '']) {
      const refusal = refusalOf(() => checkCitizenKey({ personalId, fullName: 'A', dateOfBirth: '1990-01-02' }));
      expect(refusal?.kind).toBe('INVALID_ARGUMENT');
    }
    expect(refusalOf(() => checkContext({ ...context, agreementId: '{"$gt":""}' }))?.kind).toBe('INVALID_ARGUMENT');
    expect(refusalOf(() => checkContext(context))).toBeUndefined();
  });

  it('unknown or repeated fields and oversized batches are INVALID_ARGUMENT', () => {
    expect(refusalOf(() => checkFields(['fullName', '$where']))?.reason).toBe('INVALID_REQUEST');
    expect(refusalOf(() => checkFields(['fullName', 'fullName']))?.reason).toBe('INVALID_REQUEST');
    expect(refusalOf(() => checkFields([]))?.reason).toBe('INVALID_REQUEST');
    expect(checkFields(['fullName', 'sex'])).toEqual(['fullName', 'sex']);
    expect(refusalOf(() => checkCount(LIMITS.batchCitizens + 1, LIMITS.batchCitizens, 'citizens'))?.kind).toBe('INVALID_ARGUMENT');
    expect(refusalOf(() => checkCount(LIMITS.batchCitizens, LIMITS.batchCitizens, 'citizens'))).toBeUndefined();
  });

  it('R22: a batch naming one personal id twice (two dates of birth, say) is INVALID_ARGUMENT', () => {
    const key = { personalId: '001090000001', fullName: 'A', dateOfBirth: '1990-01-02' };
    const repeated = refusalOf(() =>
      checkCitizenKeys([key, { ...key, personalId: '001090000002' }, { ...key, dateOfBirth: '1990-01-03' }]),
    );
    expect(repeated).toMatchObject({
      reason: 'INVALID_REQUEST',
      message: expect.stringContaining('citizens[2] repeats the personal id of citizens[0]'),
    });
    expect(checkCitizenKeys([key, { ...key, personalId: '001090000002' }]).map((one) => one.personalId)).toEqual([
      '001090000001',
      '001090000002',
    ]);
  });

  it('R35: the case reference and the officer are required, since they are journaled', () => {
    expect(refusalOf(() => checkContext({ ...context, caseReference: ' ' }))?.message).toMatch(/case_reference is required/);
    expect(refusalOf(() => checkContext({ ...context, officerId: undefined }))?.message).toMatch(/officer_id is required/);
  });
});
