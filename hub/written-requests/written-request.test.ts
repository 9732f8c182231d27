import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkChosenServices,
  checkWrittenRequest,
  isWrittenRequestOverdue,
  nextWrittenStatus,
  type WrittenRequestTemplate,
} from './written-request.ts';

const example = () =>
  JSON.parse(readFileSync(new URL('../../deploy/examples/written-request.json', import.meta.url), 'utf8')) as Record<string, any>;

describe('the written-request template and lifecycle', () => {
  it('R19: the example template is valid; a malformed one is refused naming every problem', () => {
    const checked = checkWrittenRequest(example());
    expect(checked.ok).toBe(true);
    const bad = example();
    bad.requester.category = 'PIRATE';
    bad.servicesWanted.push('salary');
    bad.citizens.push({ ...bad.citizens[0] });
    bad.extra = 1;
    const refused = checkWrittenRequest(bad);
    expect(refused.ok).toBe(false);
    const problems = refused.ok ? [] : refused.problems.join('\n');
    for (const expected of [
      'extra is not part of the template',
      'requester.category must be one of',
      '"salary" is not a citizen field',
      'is named twice',
    ])
      expect(problems).toContain(expected);
  });

  it("R12, R19: a non-state requester cites each citizen's consent, except for its own record", () => {
    const noConsent = example();
    delete noConsent.citizens[0].consentReference;
    expect(checkWrittenRequest(noConsent)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining("needs the citizen's consent (R12)")],
    });
    const own = {
      ...noConsent,
      requester: { ...noConsent.requester, category: 'INDIVIDUAL', personalId: noConsent.citizens[0].personalId },
    };
    expect(checkWrittenRequest(own).ok).toBe(true);
    const state = { ...noConsent, requester: { ...noConsent.requester, category: 'PROVINCIAL_STATE_BODY' } };
    expect(checkWrittenRequest(state).ok).toBe(true);
  });

  it('R19: the chosen services are a subset of those wanted; the lifecycle goes received → guided → delivered, or to refused', () => {
    const template = (checkWrittenRequest(example()) as { ok: true; value: WrittenRequestTemplate }).value;
    expect(checkChosenServices(template, ['fullName'])).toEqual({ ok: true, value: ['fullName'] });
    expect(checkChosenServices(template, ['bloodType'])).toMatchObject({ ok: false });
    expect(checkChosenServices(template, [])).toMatchObject({ ok: false });
    expect(nextWrittenStatus('received', 'deliver')).toBeNull();
    expect(nextWrittenStatus('guided', 'deliver')).toBe('delivered');
    expect(nextWrittenStatus('delivered', 'refuse')).toBeNull();
  });

  it('R11, R19: overdue means undecided past the decision deadline, or not delivered by the agreed time', () => {
    const decisionDeadline = new Date('2026-03-13T16:59:59.999Z');
    const after = new Date('2026-03-14T00:00:00Z');
    expect(isWrittenRequestOverdue({ status: 'received', decisionDeadline }, after)).toBe(true);
    expect(isWrittenRequestOverdue({ status: 'received', decisionDeadline }, new Date('2026-03-12T00:00:00Z'))).toBe(false);
    expect(isWrittenRequestOverdue({ status: 'guided', decisionDeadline, deliverBy: new Date('2026-03-20T00:00:00Z') }, after)).toBe(false);
    expect(isWrittenRequestOverdue({ status: 'guided', decisionDeadline, deliverBy: new Date('2026-03-13T00:00:00Z') }, after)).toBe(true);
    expect(isWrittenRequestOverdue({ status: 'refused', decisionDeadline }, after)).toBe(false);
  });
});
