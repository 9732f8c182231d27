// R11: the competent authority decides within 3 working days of receiving a request. A working
// day is Monday to Friday, minus Vietnam's public holidays, read from a JSON file
// (DANCU_HOLIDAYS_FILE, default holidays-vn.json beside this module) that operators renew yearly.
//
// Days are counted in Asia/Ho_Chi_Minh time, which is UTC+7 all year (no daylight saving since
// 1975), so a fixed offset is exact and needs no time-zone database.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_HOLIDAYS_FILE = fileURLToPath(new URL('./holidays-vn.json', import.meta.url));

/** Working days after the day of receipt within which the decision is due (R11). */
export const DECISION_WORKING_DAYS = 3;

const OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DAY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export interface WorkingCalendar {
  /** The years whose holidays the file lists; other years are refused, not guessed. */
  years: ReadonlySet<number>;
  /** `YYYY-MM-DD` → the holiday's name. */
  holidays: ReadonlyMap<string, string>;
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in Vietnam. */
export function localDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Vietnamese calendar day starts. */
function startOfLocalDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - OFFSET_MS);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
}

function isRealDay(day: string): boolean {
  return ISO_DAY.test(day) && new Date(`${day}T00:00:00.000Z`).toISOString().slice(0, 10) === day;
}

export function isWorkingDay(calendar: WorkingCalendar, day: string): boolean {
  const year = Number(day.slice(0, 4));
  if (!calendar.years.has(year)) {
    throw new Error(
      `the holidays file covers ${[...calendar.years].sort().join(', ')} but not ${year}: ` +
        `add ${year}'s public holidays (DANCU_HOLIDAYS_FILE) so that R11 deadlines stay right`,
    );
  }
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !calendar.holidays.has(day);
}

/** R11: the end (last millisecond, Vietnam time) of the 3rd working day after the day of receipt. */
export function decisionDeadline(submittedAt: Date, calendar: WorkingCalendar): Date {
  let day = localDay(submittedAt);
  for (let counted = 0; counted < DECISION_WORKING_DAYS; ) {
    day = nextDay(day);
    if (isWorkingDay(calendar, day)) counted += 1;
  }
  return new Date(startOfLocalDay(nextDay(day)).getTime() - 1);
}

/** Reads a holidays file's content; every problem is a sentence naming the file and the entry. */
export function parseHolidays(content: unknown, origin: string): WorkingCalendar {
  const fail = (problem: string): never => {
    throw new Error(`${origin}: ${problem}`);
  };
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    fail('expected an object { years: [...], holidays: [{ date, name }] }');
  const { years, holidays } = content as Record<string, unknown>;
  if (!Array.isArray(years) || years.length === 0 || !years.every((year) => Number.isInteger(year) && year >= 2000 && year <= 2100)) {
    fail('"years" must list the years the file covers, e.g. [2026, 2027]');
  }
  if (!Array.isArray(holidays)) return fail('"holidays" must be a list of { "date": "YYYY-MM-DD", "name": "…" }');
  const covered = new Set(years as number[]);
  const byDay = new Map<string, string>();
  holidays.forEach((entry: unknown, index) => {
    const where = `holidays[${index}]`;
    const { date, name } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof date !== 'string' || !isRealDay(date))
      fail(`${where}.date must be a real calendar day written YYYY-MM-DD, not ${JSON.stringify(date)}`);
    if (typeof name !== 'string' || name.trim() === '') fail(`${where}.name must say which holiday ${String(date)} is`);
    if (!covered.has(Number((date as string).slice(0, 4)))) fail(`${where}: ${String(date)} is outside the years the file says it covers`);
    if (byDay.has(date as string)) fail(`${where}: ${String(date)} is listed twice`);
    byDay.set(date as string, name as string);
  });
  return { years: covered, holidays: byDay };
}

/** The calendar from DANCU_HOLIDAYS_FILE, else the checked-in one; fails with a sentence at start-up. */
export function loadCalendar(file = process.env.DANCU_HOLIDAYS_FILE ?? DEFAULT_HOLIDAYS_FILE): WorkingCalendar {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the holidays file ${file} (DANCU_HOLIDAYS_FILE): ${(error as Error).message}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new Error(`the holidays file ${file} is not JSON: ${(error as Error).message}`);
  }
  return parseHolidays(content, file);
}
