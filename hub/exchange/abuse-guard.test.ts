import { describe, expect, it } from 'vitest';
import { type AbuseFlag, AbuseGuard } from './abuse-guard.ts';
import { Refusal } from './refusal.ts';

function reasonOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
  }
}

describe('abuse guard', () => {
  it('R22: a Verify loop that varies the date of birth is throttled and flagged; other citizens are not', () => {
    const flags: AbuseFlag[] = [];
    const guard = new AbuseGuard({ onFlag: (flag) => flags.push(flag) });
    const citizen = '001190000001';
    for (const day of ['01', '02', '03']) {
      guard.admit('agr-1', [citizen]);
      expect(reasonOf(() => guard.admitClaims('agr-1', citizen, [{ field: 'dateOfBirth', value: `1990-01-${day}` }]))).toBeUndefined();
    }
    // The same claim again is not a new guess.
    expect(reasonOf(() => guard.admitClaims('agr-1', citizen, [{ field: 'dateOfBirth', value: '1990-01-03' }]))).toBeUndefined();
    expect(reasonOf(() => guard.admitClaims('agr-1', citizen, [{ field: 'dateOfBirth', value: '1990-01-04' }]))).toBe('THROTTLED');
    expect(flags).toEqual([expect.objectContaining({ pattern: 'match-oracle', agreementId: 'agr-1' })]);
    expect(reasonOf(() => guard.admit('agr-1', [citizen]))).toBe('THROTTLED');
    expect(reasonOf(() => guard.admit('agr-1', ['079190000001']))).toBeUndefined();
    expect(reasonOf(() => guard.admit('agr-2', [citizen]))).toBeUndefined();
  });

  it('R22: a run of consecutive personal ids is enumeration; scattered ids are not', () => {
    const guard = new AbuseGuard({ sequentialRun: 5 });
    for (const id of ['001190000100', '079190000200', '001190000300', '038190000400', '001190000500', '079190000600']) {
      expect(reasonOf(() => guard.admit('agr-1', [id]))).toBeUndefined();
    }
    const sequential = [1, 2, 3, 4, 5].map((n) => `0011900001${String(n).padStart(2, '0')}`);
    const reasons = sequential.map((id) => reasonOf(() => guard.admit('agr-2', [id])));
    expect(reasons.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(reasons[4]).toBe('THROTTLED');
    expect(reasonOf(() => guard.admit('agr-2', ['079190000999']))).toBe('THROTTLED');
  });

  it('R22: a high no-match rate pauses the agreement', () => {
    const flags: AbuseFlag[] = [];
    const guard = new AbuseGuard({ minSamples: 10, missWindow: 20, maxMissShare: 0.5, onFlag: (flag) => flags.push(flag) });
    for (let i = 0; i < 10; i++) guard.record('agr-1', `00119000000${i}`, false);
    expect(flags.map((flag) => flag.pattern)).toEqual(['no-match-rate']);
    expect(reasonOf(() => guard.admit('agr-1', ['001190000001']))).toBe('THROTTLED');
    const healthy = new AbuseGuard({ minSamples: 10, missWindow: 20, maxMissShare: 0.5 });
    for (let i = 0; i < 30; i++)
      expect(reasonOf(() => healthy.record('agr-1', `0011900000${String(i).padStart(2, '0')}`, i % 3 !== 0))).toBeUndefined();
  });

  it('R22: padding guesses with the same known-good citizen does not dilute the no-match rate', () => {
    const flags: AbuseFlag[] = [];
    const guard = new AbuseGuard({ minSamples: 10, missWindow: 20, maxMissShare: 0.5, onFlag: (flag) => flags.push(flag) });
    for (let i = 0; i < 10; i++) {
      guard.record('agr-1', '001190000001', true);
      guard.record('agr-1', `07919000010${i}`, false);
    }
    expect(flags.map((flag) => flag.pattern)).toEqual(['no-match-rate']);
  });

  it('R22: a lookup key varying the date of birth or name counts with Verify claims; case and spacing are no new guess', () => {
    const guard = new AbuseGuard();
    const key = { personalId: '001190000001', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-01-01' };
    guard.admitKeys('agr-1', [key, { ...key, fullName: ' nguyễn  văn AN ' }]);
    guard.admitClaims('agr-1', key.personalId, [{ field: 'dateOfBirth', value: '1990-01-02' }]);
    guard.admitKeys('agr-1', [{ ...key, dateOfBirth: '1990-01-03' }]);
    expect(reasonOf(() => guard.admitKeys('agr-1', [{ ...key, dateOfBirth: '1990-01-04' }]))).toBe('THROTTLED');
    expect(reasonOf(() => guard.admitKeys('agr-1', [{ ...key, personalId: '001190000002' }]))).toBeUndefined();
  });
});
