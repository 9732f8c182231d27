// The 12-digit personal identification number (số định danh cá nhân):
// PPP S YY NNNNNN — province of birth registration, sex + century, last two digits of the
// birth year, six random digits. A record whose id disagrees with its own date of birth or sex is invalid.
import { isProvinceCode } from './provinces.ts';
import type { Sex } from './types.ts';

const PERSONAL_ID = /^[0-9]{12}$/;
/** Digit 4 → first year of the century of birth; even digits are male, odd female. */
const CENTURY_BY_PAIR = [1900, 2000, 2100, 2200, 1800] as const;

export interface PersonalIdParts {
  provinceCode: string;
  sex: Sex;
  /** Full birth year, from the century digit and the two year digits. */
  birthYear: number;
  serial: string;
}

export type PersonalIdPart = 'structure' | 'province' | 'century' | 'sex' | 'birth-year';

export interface PersonalIdProblem {
  part: PersonalIdPart;
  message: string;
}

/** Splits a structurally valid id into its parts; undefined when it is not 12 digits. */
export function parsePersonalId(id: string): PersonalIdParts | undefined {
  if (!PERSONAL_ID.test(id)) return undefined;
  const digit = id.charCodeAt(3) - 48;
  const centuryStart = CENTURY_BY_PAIR[digit >> 1] ?? 1900;
  return {
    provinceCode: id.slice(0, 3),
    sex: digit % 2 === 0 ? 'male' : 'female',
    birthYear: centuryStart + Number(id.slice(4, 6)),
    serial: id.slice(6),
  };
}

function centuryDigit(sex: Sex, birthYear: number): number {
  const pair = CENTURY_BY_PAIR.indexOf((Math.floor(birthYear / 100) * 100) as (typeof CENTURY_BY_PAIR)[number]);
  if (pair < 0) throw new RangeError(`a personal id cannot encode birth year ${birthYear} (only 1800–2299)`);
  return pair * 2 + (sex === 'female' ? 1 : 0);
}

/**
 * Checks an id's structure and province code, and — when given — that it agrees with the
 * holder's date of birth (YYYY-MM-DD) and sex. Returns the problems; empty when the id is fine.
 */
export function checkPersonalId(id: string, facts: { dateOfBirth?: string; sex?: Sex } = {}): PersonalIdProblem[] {
  const parts = parsePersonalId(id);
  if (!parts) return [{ part: 'structure', message: `personal id "${id}" must be exactly 12 digits` }];
  const problems: PersonalIdProblem[] = [];
  if (!isProvinceCode(parts.provinceCode)) {
    problems.push({
      part: 'province',
      message: `personal id ${id} starts with ${parts.provinceCode}, which is not one of the 63 province codes`,
    });
  }
  const digit = id[3];
  if (facts.sex !== undefined && facts.sex !== parts.sex) {
    problems.push({
      part: 'sex',
      message: `personal id ${id} has sex/century digit ${digit}, which means ${parts.sex}, but the record says ${facts.sex}`,
    });
  }
  const year = facts.dateOfBirth === undefined ? undefined : Number(facts.dateOfBirth.slice(0, 4));
  if (year !== undefined && Number.isInteger(year)) {
    const idCentury = Math.floor(parts.birthYear / 100) * 100;
    const dobCentury = Math.floor(year / 100) * 100;
    if (idCentury !== dobCentury) {
      problems.push({
        part: 'century',
        message: `personal id ${id} has sex/century digit ${digit}, which means born ${idCentury}–${idCentury + 99}, but the date of birth is ${facts.dateOfBirth}`,
      });
    }
    if (parts.birthYear % 100 !== year % 100) {
      problems.push({
        part: 'birth-year',
        message: `personal id ${id} has birth-year digits ${id.slice(4, 6)}, but the date of birth is ${facts.dateOfBirth}`,
      });
    }
  }
  return problems;
}

/** Builds an id for a citizen (the simulator's use); `random6` is the six-digit serial. */
export function makePersonalId(provinceCode: string, sex: Sex, birthYear: number, random6: number | string): string {
  if (!/^[0-9]{3}$/.test(provinceCode)) throw new RangeError(`province code must be 3 digits, got "${provinceCode}"`);
  const serial = String(random6).padStart(6, '0');
  if (!/^[0-9]{6}$/.test(serial)) throw new RangeError(`the random part must be 6 digits, got "${random6}"`);
  const yy = String(birthYear % 100).padStart(2, '0');
  return `${provinceCode}${centuryDigit(sex, birthYear)}${yy}${serial}`;
}
