import { describe, expect, it } from 'vitest';
import { birthEvent, ONE_OF_EACH } from '../testing/sample-events.ts';
import { validateEvent } from './validate-event.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const judge = (event: unknown, now = NOW) => validateEvent(JSON.stringify(event), { now });

describe('plausibility', () => {
  it('R5: every sample event is plausible', () => {
    for (const event of ONE_OF_EACH) expect(judge(event, new Date('2031-01-01T00:00:00Z')), event.type).toMatchObject({ ok: true });
  });

  it('R5: an event taking effect or recorded in the future is refused; within the clock tolerance it is accepted', () => {
    const soon = new Date(NOW.getTime() + 60_000).toISOString();
    const later = new Date(NOW.getTime() + 3_600_000).toISOString();
    expect(judge(birthEvent({ recordedAt: soon }))).toMatchObject({ ok: true });
    expect(judge(birthEvent({ occurredAt: later }))).toMatchObject({ ok: false, reason: 'future-dated', path: '/occurredAt' });
    expect(judge(birthEvent({ recordedAt: later }))).toMatchObject({ ok: false, reason: 'future-dated', path: '/recordedAt' });
    const death = ONE_OF_EACH.find((event) => event.type === 'death-registered')!;
    expect(judge({ ...death, payload: { ...death.payload, dateOfDeath: '2027-01-01' } })).toMatchObject({
      ok: false,
      reason: 'future-dated',
      path: '/payload/dateOfDeath',
    });
    expect(
      validateEvent(JSON.stringify(birthEvent({ occurredAt: later })), {
        now: NOW,
        plausibility: { futureToleranceMs: 2 * 3_600_000, floor: new Date('1900-01-01') },
      }),
    ).toMatchObject({ ok: true });
  });

  it('R5: a future end of validity (a card, a temporary residence) is no future-dated fact', () => {
    const temporary = ONE_OF_EACH.find((event) => event.type === 'temporary-residence-registered')!;
    expect(judge({ ...temporary, payload: { ...temporary.payload, validUntil: '2040-01-01' } })).toMatchObject({ ok: true });
  });

  it('R5: an event before the birth year the personal id encodes, or before the date of birth it states, is refused', () => {
    const residence = ONE_OF_EACH.find((event) => event.type === 'current-residence-declared')!;
    // 001090123456: male, born 1990.
    expect(judge({ ...residence, occurredAt: '1989-12-31T23:00:00+07:00' })).toMatchObject({
      ok: false,
      reason: 'before-birth',
      path: '/occurredAt',
    });
    expect(judge({ ...residence, occurredAt: '1990-01-01T00:00:00+07:00' })).toMatchObject({ ok: true });
    expect(judge(birthEvent({ occurredAt: '1990-04-29T00:00:00+07:00' }))).toMatchObject({ ok: false, reason: 'before-birth' });
  });

  it('R5: no event is dated before the floor, whoever it is about', () => {
    const residence = ONE_OF_EACH.find((event) => event.type === 'current-residence-declared')!;
    expect(judge({ ...residence, occurredAt: '1850-06-01T00:00:00+07:00' })).toMatchObject({ ok: false, reason: 'before-floor' });
    expect(judge({ ...residence, recordedAt: '1899-12-31T00:00:00+07:00' })).toMatchObject({
      ok: false,
      reason: 'before-floor',
      path: '/recordedAt',
    });
  });

  it('R5: names and free text with control or bidirectional-override characters are refused; Vietnamese text is accepted in NFC', () => {
    for (const bad of ['Nguyễn\u0000An', 'Nguyễn\u001b[31mAn', 'Nguyễn \u202eAn', 'Nguyễn\u2066An', 'Nguyễn\nAn']) {
      expect(judge(birthEvent({}, { fullName: bad })), JSON.stringify(bad)).toMatchObject({
        ok: false,
        reason: 'invalid-text',
        path: '/payload/fullName',
      });
    }
    const decomposed = 'Nguyễn Văn An'.normalize('NFD');
    const verdict = judge(birthEvent({}, { fullName: decomposed }));
    expect(verdict).toMatchObject({ ok: true });
    if (verdict.ok) expect((verdict.event.payload as { fullName: string }).fullName).toBe('Nguyễn Văn An'.normalize('NFC'));
  });
});
