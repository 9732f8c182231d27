// A consumer call as the enforcement pipeline sees it, and the checks that turn the wire
// request into one. Anything malformed — a personal id that is not 12 digits (say, a MongoDB
// operator smuggled in as a string), an unknown field, an oversized batch — is INVALID_ARGUMENT
// here, before any rule or store read runs.

import { isDate } from '../../schemas/formats.ts';
import { parsePersonalId } from '../../schemas/personal-id.ts';
import { type CitizenField, isCitizenField } from '../citizen/fields.ts';
import type { FieldMode, ServiceName } from '../registry/service-catalogue.ts';
import { refuse } from './refusal.ts';

export const LIMITS = {
  batchCitizens: 100,
  verifyClaims: 20,
  watchedCitizens: 1000,
  descriptionChars: 2000,
  /** A ReportDataError's proposed value, as UTF-8 JSON: an address or a card fits many times over. */
  proposedValueBytes: 4096,
  referenceChars: 128,
} as const;

/** Why the caller asks, as the request states it; every part is journaled. */
export interface CallContext {
  agreementId: string;
  purpose: string;
  caseReference: string;
  officerId: string;
}

/** What the pipeline decides on. */
export interface ExchangeCall {
  service: ServiceName;
  context: CallContext;
  /** The citizens the call concerns (consent is checked for each). */
  personalIds: string[];
  fields: CitizenField[];
  /** The mode the fields are asked in; null for calls that use no field values (ReportDataError). */
  mode: FieldMode | null;
}

/** The personal id + full name + date of birth triple that identifies a citizen. */
export interface CitizenKey {
  personalId: string;
  fullName: string;
  dateOfBirth: string;
}

interface WireContext {
  agreementId?: string;
  purpose?: string;
  caseReference?: string;
  officerId?: string;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const PURPOSE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export function checkContext(context: WireContext | undefined): CallContext {
  if (!context) refuse('INVALID_REQUEST', 'context is required: agreement_id, purpose, case_reference and officer_id');
  const agreementId = context.agreementId ?? '';
  if (!IDENTIFIER.test(agreementId)) refuse('INVALID_REQUEST', 'context.agreement_id must be the id of your connection agreement');
  const purpose = context.purpose ?? '';
  if (!PURPOSE_CODE.test(purpose))
    refuse('INVALID_REQUEST', 'context.purpose must be a purpose code from the catalogue, e.g. ADMINISTRATIVE_PROCEDURE');
  const caseReference = checkReference(context.caseReference, 'context.case_reference');
  const officerId = checkReference(context.officerId, 'context.officer_id');
  return { agreementId, purpose, caseReference, officerId };
}

function checkReference(value: string | undefined, what: string): string {
  const text = (value ?? '').trim();
  if (text.length === 0) refuse('INVALID_REQUEST', `${what} is required (it is journaled and shown to the citizen)`);
  if (text.length > LIMITS.referenceChars || /\p{Cc}/u.test(text)) {
    refuse('INVALID_REQUEST', `${what} must be at most ${LIMITS.referenceChars} printable characters`);
  }
  return text;
}

export function checkPersonalIdArgument(value: string | undefined, what = 'personal_id'): string {
  const id = value ?? '';
  if (!parsePersonalId(id)) refuse('INVALID_REQUEST', `${what} must be a 12-digit personal id`);
  return id;
}

export function checkCitizenKey(
  key: { personalId?: string; fullName?: string; dateOfBirth?: string } | undefined,
  what = 'citizen',
): CitizenKey {
  if (!key) refuse('INVALID_REQUEST', `${what} is required: personal_id, full_name and date_of_birth`);
  const personalId = checkPersonalIdArgument(key.personalId, `${what}.personal_id`);
  const fullName = (key.fullName ?? '').trim();
  if (fullName.length === 0 || fullName.length > 200) refuse('INVALID_REQUEST', `${what}.full_name is required (at most 200 characters)`);
  const dateOfBirth = key.dateOfBirth ?? '';
  if (!isDate(dateOfBirth)) refuse('INVALID_REQUEST', `${what}.date_of_birth must be a date as YYYY-MM-DD`);
  return { personalId, fullName, dateOfBirth };
}

/**
 * A batch's keys: 1 to 100, each well-formed, each personal id once. One id with many dates of
 * birth would be a guessing oracle answered in one call (the found one is the right one).
 */
export function checkCitizenKeys(citizens: readonly Parameters<typeof checkCitizenKey>[0][]): CitizenKey[] {
  checkCount(citizens.length, LIMITS.batchCitizens, 'citizens');
  const keys = citizens.map((citizen, index) => checkCitizenKey(citizen, `citizens[${index}]`));
  const first = new Map<string, number>();
  keys.forEach((key, index) => {
    const earlier = first.get(key.personalId);
    if (earlier !== undefined)
      refuse('INVALID_REQUEST', `citizens[${index}] repeats the personal id of citizens[${earlier}]: name each citizen once per batch`);
    first.set(key.personalId, index);
  });
  return keys;
}

/** Field names: known, not repeated, at least one. */
export function checkFields(names: readonly string[], what = 'fields'): CitizenField[] {
  if (names.length === 0) refuse('INVALID_REQUEST', `${what}: name at least one field`);
  const seen = new Set<string>();
  for (const name of names) {
    if (!isCitizenField(name))
      refuse('INVALID_REQUEST', `${what}: ${JSON.stringify(name.slice(0, 64))} is not a citizen field (see the service catalogue)`);
    if (seen.has(name)) refuse('INVALID_REQUEST', `${what}: ${name} is named twice`);
    seen.add(name);
  }
  return [...seen] as CitizenField[];
}

/** A proposed value within its bound, so an oversized one is the caller's error, not the corrections topic's. */
export function checkProposedValue(value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > LIMITS.proposedValueBytes)
    refuse('INVALID_REQUEST', `proposed_value is ${bytes} bytes as JSON; at most ${LIMITS.proposedValueBytes}`);
}

export function checkCount(count: number, max: number, what: string): void {
  if (count === 0) refuse('INVALID_REQUEST', `${what}: give at least one`);
  if (count > max) refuse('INVALID_REQUEST', `${what}: at most ${max} per call, got ${count}`);
}
