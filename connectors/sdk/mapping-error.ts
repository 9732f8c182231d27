// A native record that cannot become a canonical event, and the field readers that say why.
// Every to-event mapping reads its columns through these, so a bad record always fails the same
// way: `missing-field` (blank or absent), `bad-field` (unparseable), `unknown-type` (unknown kind).
import { DancuError } from '../../errors/dancu-error.ts';
import { internationalMobile } from '../../schemas/phone-number.ts';
import type { Address, Sex } from '../../schemas/types.ts';

export type MappingFailure = 'unknown-type' | 'bad-field' | 'missing-field';

export class MappingError extends DancuError<MappingFailure> {
  override readonly name = 'MappingError';
  readonly reason: MappingFailure;
  /** The native column at fault. */
  readonly field?: string;
  /** Mapping is deterministic: the same record fails the same way, so retrying cannot help. */
  readonly retryable = false;

  constructor(reason: MappingFailure, message: string, field?: string) {
    super(message);
    this.reason = reason;
    if (field !== undefined) this.field = field;
  }

  /** The reason is the error's code. */
  get code(): MappingFailure {
    return this.reason;
  }
}

/**
 * The one place an error becomes a rejected record's reason (the connector's rejects file and
 * counters): a MappingError says why; anything else is no fault of the record (undefined: the
 * run fails instead, and the record is read again).
 */
export function rejectionOf(error: unknown): { reason: MappingFailure; detail: string } | undefined {
  return error instanceof MappingError ? { reason: error.reason, detail: error.message } : undefined;
}

export type NativeRecord = Readonly<Record<string, string | undefined>>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself, to find what is outside it
const NON_ASCII = /[^\x00-\x7f]/;
const NATIVE_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const NATIVE_TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
/** Native timestamps are Vietnam local time. */
const VIETNAM_OFFSET = '+07:00';

function clean(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Most fields have no surrounding blanks: skip trim()'s allocation then.
  if (value.charCodeAt(0) > 32 && value.charCodeAt(value.length - 1) > 32) return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Text as NFC, for comparing with code lists (the hub NFC-normalises whole events itself). */
function nfc(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFC') : text;
}

/** A column's trimmed value, or undefined when blank. */
export function optionalField(record: NativeRecord, column: string): string | undefined {
  return clean(record[column]);
}

export function requiredField(record: NativeRecord, column: string): string {
  const value = clean(record[column]);
  if (value === undefined) throw new MappingError('missing-field', `column "${column}" is empty or missing`, column);
  return value;
}

function pad(n: string): string {
  return n.padStart(2, '0');
}

function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2) return day <= (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

function toIsoDate(text: string, column: string): string {
  const m = NATIVE_DATE.exec(text);
  if (!m || !isRealDay(Number(m[3]), Number(m[2]), Number(m[1]))) {
    throw new MappingError('bad-field', `column "${column}" must be a real date written dd/mm/yyyy, got "${text}"`, column);
  }
  return `${m[3]}-${pad(m[2] ?? '')}-${pad(m[1] ?? '')}`;
}

/** A Vietnamese mobile number, as registers write it (0912 345 678, 84912345678, +84 912.345.678) → +84912345678. */
export function phoneNumberField(record: NativeRecord, column: string): string | undefined {
  const text = optionalField(record, column);
  if (text === undefined) return undefined;
  const number = internationalMobile(text);
  if (number === null)
    throw new MappingError(
      'bad-field',
      `column "${column}" must be a Vietnamese mobile number (0 or +84, then 9 digits starting 3, 5, 7, 8 or 9), got "${text}"`,
      column,
    );
  return number;
}

/** dd/mm/yyyy → YYYY-MM-DD. */
export function requiredDate(record: NativeRecord, column: string): string {
  return toIsoDate(requiredField(record, column), column);
}

export function optionalDate(record: NativeRecord, column: string): string | undefined {
  const text = optionalField(record, column);
  return text === undefined ? undefined : toIsoDate(text, column);
}

/** "dd/mm/yyyy HH:mm[:ss]" in Vietnam time → RFC 3339 with +07:00. */
export function requiredTimestamp(record: NativeRecord, column: string): string {
  const text = requiredField(record, column);
  const m = NATIVE_TIMESTAMP.exec(text);
  if (!m || !isRealDay(Number(m[3]), Number(m[2]), Number(m[1])) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) {
    throw new MappingError('bad-field', `column "${column}" must be a date and time written dd/mm/yyyy HH:mm:ss, got "${text}"`, column);
  }
  return `${m[3]}-${pad(m[2] ?? '')}-${pad(m[1] ?? '')}T${pad(m[4] ?? '')}:${m[5]}:${m[6] ?? '00'}${VIETNAM_OFFSET}`;
}

/** The start of a calendar day in Vietnam, as an instant: when a dated fact took effect. */
export function startOfDay(isoDate: string): string {
  return `${isoDate}T00:00:00${VIETNAM_OFFSET}`;
}

/** "Nam" / "Nữ" → male / female. */
export function requiredSex(record: NativeRecord, column: string): Sex {
  const text = requiredField(record, column);
  if (text === 'Nam') return 'male';
  if (text === 'Nữ') return 'female';
  const lower = nfc(text).toLowerCase();
  if (lower === 'nam') return 'male';
  if (lower === 'nữ') return 'female';
  throw new MappingError('bad-field', `column "${column}" must be "Nam" or "Nữ", got "${text}"`, column);
}

/** A value from a fixed native code list, translated; `reason` says how an unknown code fails. */
export function requiredCode<T>(
  record: NativeRecord,
  column: string,
  codes: Readonly<Record<string, T>>,
  reason: MappingFailure = 'bad-field',
): T {
  const text = requiredField(record, column);
  const value = Object.hasOwn(codes, text) ? codes[text] : Object.hasOwn(codes, nfc(text)) ? codes[nfc(text)] : undefined;
  if (value === undefined) {
    throw new MappingError(
      reason,
      `column "${column}" has unknown value "${text}"; expected one of ${Object.keys(codes).join(', ')}`,
      column,
    );
  }
  return value;
}

/** The suffixes of a flattened address: `<prefix>_tinh`, `_huyen`, `_xa`, `_duong`, `_chi_tiet`. */
export const ADDRESS_SUFFIXES = ['tinh', 'huyen', 'xa', 'duong', 'chi_tiet'] as const;

export function addressColumns(prefix: string): string[] {
  return ADDRESS_SUFFIXES.map((suffix) => `${prefix}_${suffix}`);
}

export function requiredAddress(record: NativeRecord, prefix: string): Address {
  const address: Address = {
    province: requiredField(record, `${prefix}_tinh`),
    ward: requiredField(record, `${prefix}_xa`),
  };
  const district = optionalField(record, `${prefix}_huyen`);
  const street = optionalField(record, `${prefix}_duong`);
  const detail = optionalField(record, `${prefix}_chi_tiet`);
  if (district !== undefined) address.district = district;
  if (street !== undefined) address.street = street;
  if (detail !== undefined) address.detail = detail;
  return address;
}

/** An address that may be left out entirely; a half-filled one is still an error. */
export function optionalAddress(record: NativeRecord, prefix: string): Address | undefined {
  return addressColumns(prefix).every((column) => optionalField(record, column) === undefined)
    ? undefined
    : requiredAddress(record, prefix);
}
