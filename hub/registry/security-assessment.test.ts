import { describe, expect, it } from 'vitest';
import { assessmentStatus, checkAssessment, type SecurityAssessment } from './security-assessment.ts';

const system = { version: '4.2.0', connectedViaEidPlatform: false };
const assessment = (overrides: Partial<SecurityAssessment> = {}): SecurityAssessment => ({
  systemId: 'vietbank-ekyc',
  systemVersion: '4.2.0',
  level: 3,
  assessedAt: new Date('2026-03-01T00:00:00Z'),
  kind: 'initial',
  findings: 'no open findings',
  assessor: 'A05',
  ...overrides,
});
const now = new Date('2026-06-01T00:00:00Z');

describe('security assessment (R29–R32)', () => {
  it('R29: a level-3 assessment of the connecting version, less than a year old, qualifies', () => {
    expect(assessmentStatus(system, [assessment()], now)).toEqual({ ok: true });
  });

  it('R31: a system without any assessment may not connect', () => {
    expect(assessmentStatus(system, [], now)).toEqual({ ok: false, reason: 'ASSESSMENT_MISSING' });
  });

  it('R29: a level-2 system may not connect', () => {
    expect(assessmentStatus(system, [assessment({ level: 2 })], now)).toEqual({ ok: false, reason: 'ASSESSMENT_LEVEL_TOO_LOW' });
  });

  it('R32: an assessment is valid for one year, then a periodic one is needed', () => {
    expect(assessmentStatus(system, [assessment()], new Date('2027-02-28T23:59:59Z'))).toEqual({ ok: true });
    expect(assessmentStatus(system, [assessment()], new Date('2027-03-01T00:00:00Z'))).toEqual({ ok: false, reason: 'ASSESSMENT_EXPIRED' });
    expect(
      assessmentStatus(
        system,
        [assessment(), assessment({ kind: 'periodic', assessedAt: new Date('2027-02-20T00:00:00Z') })],
        new Date('2027-06-01T00:00:00Z'),
      ),
    ).toEqual({ ok: true });
  });

  it('R30: an assessment of another version does not cover a design change', () => {
    expect(assessmentStatus({ ...system, version: '5.0.0' }, [assessment()], now)).toEqual({
      ok: false,
      reason: 'ASSESSMENT_FOR_OTHER_VERSION',
    });
  });

  it('R30: the latest assessment by date counts, even when an older one is recorded after it', () => {
    const later = assessment({ kind: 'ad-hoc', level: 2, assessedAt: new Date('2026-05-01T00:00:00Z') });
    expect(assessmentStatus(system, [later, assessment()], now)).toEqual({ ok: false, reason: 'ASSESSMENT_LEVEL_TOO_LOW' });
  });

  it('R31: a system connected through the e-identification platform is exempt', () => {
    expect(assessmentStatus({ ...system, connectedViaEidPlatform: true }, [], now)).toEqual({ ok: true, exempt: true });
  });

  it('R32: of two assessments made the same day, the one recorded last decides', () => {
    const failing = assessment({ kind: 'ad-hoc', level: 2 });
    expect(assessmentStatus(system, [assessment(), failing], now)).toEqual({ ok: false, reason: 'ASSESSMENT_LEVEL_TOO_LOW' });
    expect(assessmentStatus(system, [assessment(), failing, assessment({ findings: 'fixed' })], now)).toEqual({ ok: true });
  });

  it('R32: an assessment dated after today (Vietnam time) is refused; one made today is not', () => {
    expect(checkAssessment({ ...assessment(), assessedAt: '2026-06-02' }, now)).toEqual({
      ok: false,
      problems: [expect.stringContaining('is in the future')],
    });
    // 2026-06-01T20:00Z is already 2 June in Vietnam.
    expect(checkAssessment({ ...assessment(), assessedAt: '2026-06-02' }, new Date('2026-06-01T20:00:00Z')).ok).toBe(true);
    expect(checkAssessment({ ...assessment(), assessedAt: '2026-06-01' }, now).ok).toBe(true);
  });

  it('R29: an assessment record states its kind, level, date and assessor', () => {
    expect(checkAssessment({ ...assessment(), assessedAt: '2026-03-01' }, now).ok).toBe(true);
    const bad = checkAssessment({ ...assessment(), level: 3.5, kind: 'yearly', assessor: '' }, now);
    expect(bad).toEqual({
      ok: false,
      problems: [
        'assessor must be a non-empty string',
        'level must be a whole number from 1 to 5, not 3.5',
        expect.stringContaining('kind must be one of'),
      ],
    });
  });
});
