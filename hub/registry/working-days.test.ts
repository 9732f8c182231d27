import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionDeadline, isWorkingDay, loadCalendar, localDay, parseHolidays } from './working-days.ts';

const calendar = loadCalendar();
const vn = (local: string) => new Date(`${local}+07:00`);

describe('working days and the R11 deadline', () => {
  it('R11: a request received on a Tuesday is due at the end of Friday, Vietnam time', () => {
    expect(decisionDeadline(vn('2026-03-10T09:00:00'), calendar)).toEqual(vn('2026-03-13T23:59:59.999'));
  });

  it('R11: the deadline skips the weekend (received Friday → due Wednesday)', () => {
    expect(decisionDeadline(vn('2026-03-13T16:30:00'), calendar)).toEqual(vn('2026-03-18T23:59:59.999'));
  });

  it('R11: a request received on a Saturday counts from Monday', () => {
    expect(decisionDeadline(vn('2026-03-14T10:00:00'), calendar)).toEqual(vn('2026-03-18T23:59:59.999'));
  });

  it('R11: Tết does not count (received Friday 13/2/2026 → due Wednesday 25/2)', () => {
    expect(decisionDeadline(vn('2026-02-13T11:00:00'), calendar)).toEqual(vn('2026-02-25T23:59:59.999'));
    expect(isWorkingDay(calendar, '2026-02-17')).toBe(false);
  });

  it("R11: the day is Vietnam's, not UTC's (23:30 UTC on Monday is Tuesday in Hanoi)", () => {
    expect(localDay(new Date('2026-03-09T23:30:00Z'))).toBe('2026-03-10');
    expect(decisionDeadline(new Date('2026-03-09T23:30:00Z'), calendar)).toEqual(vn('2026-03-13T23:59:59.999'));
  });

  it('R11: the April 30 / May 1 holidays push the deadline into the next week', () => {
    expect(decisionDeadline(vn('2026-04-28T10:00:00'), calendar)).toEqual(vn('2026-05-05T23:59:59.999'));
  });

  it('R11: refuses to guess a year the holidays file does not cover', () => {
    expect(() => decisionDeadline(vn('2028-12-29T10:00:00'), calendar)).toThrow(/not 2028.*DANCU_HOLIDAYS_FILE/);
  });

  it('R11: rejects a holidays file with a clear sentence', () => {
    expect(() => parseHolidays({ years: [2026], holidays: [{ date: '2026-02-30', name: 'x' }] }, 'h.json')).toThrow(
      'h.json: holidays[0].date must be a real calendar day',
    );
    expect(() => parseHolidays({ years: [2026], holidays: [{ date: '2027-01-01', name: 'x' }] }, 'h.json')).toThrow('outside the years');
    expect(() =>
      parseHolidays(
        {
          years: [2026],
          holidays: [
            { date: '2026-01-01', name: 'a' },
            { date: '2026-01-01', name: 'b' },
          ],
        },
        'h.json',
      ),
    ).toThrow('listed twice');
    expect(() => parseHolidays({ holidays: [] }, 'h.json')).toThrow('"years"');
    const dir = mkdtempSync(join(tmpdir(), 'dancu-holidays-'));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(() => loadCalendar(join(dir, 'bad.json'))).toThrow(/is not JSON/);
    expect(() => loadCalendar(join(dir, 'missing.json'))).toThrow(/cannot read the holidays file/);
  });
});
