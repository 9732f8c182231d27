// The canonical citizen fields and which source is the authority for each.
// A non-authoritative source may fill a field, but never overrides an authoritative value.
import type { SourceName } from '../../schemas/sources.ts';
import type { CitizenRecord } from '../../schemas/types.ts';

export const CITIZEN_FIELDS = [
  'fullName',
  'dateOfBirth',
  'sex',
  'placeOfBirth',
  'birthRegistrationProvince',
  'ethnicity',
  'nationality',
  'fatherId',
  'motherId',
  'maritalStatus',
  'spouseId',
  'lifeStatus',
  'dateOfDeath',
  'permanentAddress',
  'temporaryAddress',
  'temporaryAbsence',
  'currentAddress',
  'household',
  'idCard',
  'healthInsurance',
  'bloodType',
  'phoneNumber',
] as const;

export type CitizenField = (typeof CITIZEN_FIELDS)[number];

/** The value a field holds in the citizen record (null: asserted to no longer hold). */
export type CitizenFieldValue<F extends CitizenField> = Exclude<CitizenRecord[F], undefined>;

// Compile-time guard: the list and the citizen-record schema name the same fields.
type SchemaFields = Exclude<keyof CitizenRecord, 'personalId'>;
const SAME_FIELDS: [SchemaFields] extends [CitizenField] ? ([CitizenField] extends [SchemaFields] ? true : never) : never = true;
void SAME_FIELDS;

/** The one authority table: the source whose word on a field is final. */
export const AUTHORITY: Readonly<Record<CitizenField, SourceName>> = Object.freeze({
  // Identity and civil status: the civil-status register (hộ tịch).
  fullName: 'civil-status',
  dateOfBirth: 'civil-status',
  sex: 'civil-status',
  placeOfBirth: 'civil-status',
  birthRegistrationProvince: 'civil-status',
  ethnicity: 'civil-status',
  nationality: 'civil-status',
  fatherId: 'civil-status',
  motherId: 'civil-status',
  maritalStatus: 'civil-status',
  spouseId: 'civil-status',
  lifeStatus: 'civil-status',
  dateOfDeath: 'civil-status',
  // Where the citizen lives: the residence register (cư trú).
  permanentAddress: 'residence',
  temporaryAddress: 'residence',
  temporaryAbsence: 'residence',
  currentAddress: 'residence',
  household: 'residence',
  // The card: the identity-card register (căn cước).
  idCard: 'id-card',
  // Health: the health-insurance and health records (y tế).
  healthInsurance: 'health',
  bloodType: 'health',
  // The mobile number the citizen declared at the card application, verified with the carrier (R20).
  phoneNumber: 'id-card',
});

export function isAuthoritative(field: CitizenField, source: SourceName): boolean {
  return AUTHORITY[field] === source;
}

export function isCitizenField(name: string): name is CitizenField {
  return Object.hasOwn(AUTHORITY, name);
}
