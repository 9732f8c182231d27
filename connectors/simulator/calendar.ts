// Dates as day numbers (days since 1970-01-01) for arithmetic, and the three ways the simulator
// writes them: ISO (canonical), dd/mm/yyyy and dd/mm/yyyy HH:mm:ss (native records).
// Pure integer arithmetic (Hinnant's civil-calendar algorithms): no Date objects on the hot path.

export type Day = number;

export function dayOf(year: number, month: number, day: number): Day {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number. */
export function civil(dayNumber: Day): [number, number, number] {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const four = (n: number): string => String(n).padStart(4, '0');

export function isoToDay(iso: string): Day {
  return dayOf(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

export function dayToIso(dayNumber: Day): string {
  const [y, m, d] = civil(dayNumber);
  return `${four(y)}-${two(m)}-${two(d)}`;
}

/** YYYY-MM-DD → dd/mm/yyyy. */
export function isoToNative(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** A day plus seconds after midnight → "dd/mm/yyyy HH:mm:ss". */
export function nativeTimestamp(dayNumber: Day, secondOfDay: number): string {
  const [y, m, d] = civil(dayNumber);
  return `${two(d)}/${two(m)}/${four(y)} ${two(Math.floor(secondOfDay / 3600))}:${two(Math.floor((secondOfDay % 3600) / 60))}:${two(secondOfDay % 60)}`;
}

export function yearOf(dayNumber: Day): number {
  return civil(dayNumber)[0];
}

/** The same calendar day `years` later (29 February → 1 March). */
export function addYears(dayNumber: Day, years: number): Day {
  const [y, m, d] = civil(dayNumber);
  return m === 2 && d === 29 && !isLeap(y + years) ? dayOf(y + years, 3, 1) : dayOf(y + years, m, d);
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Age in whole years on `day` for someone born on `birth`. */
export function ageOn(birth: Day, dayNumber: Day): number {
  const [by, bm, bd] = civil(birth);
  const [y, m, d] = civil(dayNumber);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
