// The 63 province codes that open a personal id (the 2016 list; ids keep them after the 2025 mergers).
import { readFileSync } from 'node:fs';

export interface Province {
  code: string;
  name: string;
}

export const PROVINCES: readonly Province[] = Object.freeze(
  JSON.parse(readFileSync(new URL('./data/provinces.json', import.meta.url), 'utf8')) as Province[],
);

const NAME_BY_CODE: ReadonlyMap<string, string> = new Map(PROVINCES.map((p) => [p.code, p.name]));

export const PROVINCE_CODES: readonly string[] = Object.freeze(PROVINCES.map((p) => p.code));

export function isProvinceCode(code: string): boolean {
  return NAME_BY_CODE.has(code);
}

/** The province's name, or undefined when the code is not one of the 63. */
export function provinceName(code: string): string | undefined {
  return NAME_BY_CODE.get(code);
}
