// What a consumer may see of a citizen document: the key check, the projection to exactly the
// granted fields, and the yes/no comparison of Verify. Plain functions over the stored document.
import { isDeepStrictEqual } from 'node:util';
import { parsePersonalId } from '../../schemas/personal-id.ts';
import type { CitizenDocument, FieldVersion } from '../citizen/citizen-document.ts';
import type { CitizenField } from '../citizen/fields.ts';
import type { CitizenKey } from './exchange-call.ts';

/** A field as the exchange returns it (the wire's FieldValue, before encoding). */
export interface DisclosedField {
  field: CitizenField;
  value: unknown;
  source: string;
  effectiveAt: Date;
  authoritative: boolean;
}

/** Unicode NFC, trimmed, single spaces, lower case: "Nguyễn  Văn An" equals "nguyễn văn an". */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLocaleLowerCase('vi');
}

/**
 * All three of personal id, full name and date of birth must match the record's current values.
 * The caller learns only yes or no, never which part failed.
 */
export function matchesKey(document: CitizenDocument | null, key: CitizenKey): document is CitizenDocument {
  if (!document || document._id !== key.personalId) return false;
  const name = document.fields.fullName?.value;
  const born = document.fields.dateOfBirth?.value;
  return (
    typeof name === 'string' && typeof born === 'string' && normaliseText(name) === normaliseText(key.fullName) && born === key.dateOfBirth
  );
}

/** Exactly the asked fields that hold a version, in the order asked. Never more. */
export function project(document: CitizenDocument, fields: readonly CitizenField[]): DisclosedField[] {
  const disclosed: DisclosedField[] = [];
  for (const field of fields) {
    const version = document.fields[field];
    if (version) disclosed.push(disclose(field, version));
  }
  return disclosed;
}

export function disclose(
  field: CitizenField,
  version: Pick<FieldVersion, 'value' | 'source' | 'effectiveAt' | 'authoritative'>,
): DisclosedField {
  return {
    field,
    value: version.value ?? null,
    source: version.source,
    effectiveAt: new Date(version.effectiveAt),
    authoritative: version.authoritative,
  };
}

/** Whether the value the caller holds equals the current one (strings compared as normaliseText). */
export function valueMatches(current: unknown, claimed: unknown): boolean {
  return isDeepStrictEqual(canonical(current), canonical(claimed));
}

/**
 * The value of a field the personal id itself encodes (digit 4: sex; digits 1–3: the province of
 * birth registration), else undefined. Ingest refuses records whose sex disagrees with their id.
 */
export function impliedByPersonalId(personalId: string, field: CitizenField): unknown {
  const parts = parsePersonalId(personalId);
  if (!parts) return undefined;
  if (field === 'sex') return parts.sex;
  if (field === 'birthRegistrationProvince') return parts.provinceCode;
  return undefined;
}

/**
 * Verify's answer to one claim. A claim on a field the id encodes is answered from the id, never
 * from the store: answered from the record, a claim of the id's own sex would say "yes" exactly
 * when the citizen exists, an existence oracle for anyone who can write down 12 digits.
 */
export function claimMatches(document: CitizenDocument | null, personalId: string, field: CitizenField, claimed: unknown): boolean {
  const implied = impliedByPersonalId(personalId, field);
  if (implied !== undefined) return valueMatches(implied, claimed);
  const current = document?.fields[field];
  return current !== undefined && valueMatches(current.value, claimed);
}

/** A value as Verify compares it: text normalised, empty members dropped. */
export function canonical(value: unknown): unknown {
  if (typeof value === 'string') return normaliseText(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined && inner !== null)
        .map(([name, inner]) => [name, canonical(inner)]),
    );
  }
  return value ?? null;
}
