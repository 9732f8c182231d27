import { describe, expect, it } from 'vitest';
import { parseCorrectionDecision } from './correction-decision.ts';

const decision = {
  reportId: '5b0f3c8e-2f47-4a8e-9c1d-6f3b2a1e9d70',
  source: 'residence',
  decision: 'rejected',
  reason: 'Address confirmed.',
  decidedAt: '2026-11-30T10:00:00Z',
  decidedBy: 'clerk',
};

describe('a register’s decision on a data-error report (R37)', () => {
  it('R37: reads an accepted or rejected decision, a rejection only with its reason', () => {
    expect(parseCorrectionDecision(JSON.stringify(decision), 'residence')).toEqual({ ok: true, decision });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, decision: 'accepted', reason: '' }), 'residence')).toMatchObject({
      ok: true,
      decision: { decision: 'accepted' },
    });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, reason: '  ' }), 'residence')).toEqual({
      ok: false,
      problem: 'a rejection needs its reason',
    });
  });

  it('R37: anything else is no decision, with a reason', () => {
    expect(parseCorrectionDecision('{', 'residence')).toEqual({ ok: false, problem: 'not JSON' });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, reportId: 'x' }), 'residence')).toEqual({
      ok: false,
      problem: 'reportId is not a report id',
    });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, decision: 'maybe' }), 'residence')).toEqual({
      ok: false,
      problem: 'decision must be accepted or rejected',
    });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, decidedAt: 'yesterday' }), 'residence')).toMatchObject({ ok: false });
  });

  it('R37: a decision naming another register than the one whose topic carried it is a forgery, not a decision', () => {
    expect(parseCorrectionDecision(JSON.stringify(decision), 'health')).toEqual({
      ok: false,
      problem: 'names "residence" as its register on the decisions topic of health',
    });
    expect(parseCorrectionDecision(JSON.stringify({ ...decision, source: 'health' }), 'health')).toMatchObject({
      ok: true,
      decision: { source: 'health' },
    });
  });
});
