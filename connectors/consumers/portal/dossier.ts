// A dossier of an administrative procedure as the portal receives it: who applies (the three
// identifiers the population database looks a citizen up by) and what they declared about
// themselves, field by field, in the shape the hub uses (e.g. permanentAddress as an address object).
import { asObject, requiredText } from '../jsonl-batch.ts';

export interface Dossier {
  dossierId: string;
  personalId: string;
  fullName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  /** Citizen field → the value the applicant declared. */
  declared: Record<string, unknown>;
}

export function parseDossier(value: unknown): Dossier {
  const object = asObject(value, 'a dossier');
  const dossierId = requiredText(object, 'dossierId');
  const personalId = requiredText(object, 'personalId');
  if (!/^[0-9]{12}$/.test(personalId)) throw new Error(`dossier ${dossierId}: "personalId" must be the 12-digit personal id`);
  const dateOfBirth = requiredText(object, 'dateOfBirth');
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(dateOfBirth)) throw new Error(`dossier ${dossierId}: "dateOfBirth" must be YYYY-MM-DD`);
  const declared = object.declared === undefined ? {} : asObject(object.declared, `dossier ${dossierId}: "declared"`);
  return { dossierId, personalId, fullName: requiredText(object, 'fullName'), dateOfBirth, declared };
}
