// A dossier of an administrative procedure as the portal receives it: who applies (the three
// identifiers the population database looks a citizen up by) and what they declared about
// themselves, field by field, in the shape the hub uses (e.g. permanentAddress as an address object).
import type { CitizenKey } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';
import { readCitizenKey } from '../citizen-key.ts';
import { asObject, requiredText } from '../jsonl-batch.ts';

export interface Dossier {
  dossierId: string;
  applicant: CitizenKey;
  /** Citizen field → the value the applicant declared. */
  declared: Record<string, unknown>;
}

export function parseDossier(value: unknown): Dossier {
  const object = asObject(value, 'a dossier');
  const dossierId = requiredText(object, 'dossierId');
  const declared = object.declared === undefined ? {} : asObject(object.declared, `dossier ${dossierId}: "declared"`);
  return { dossierId, applicant: readCitizenKey(object, `dossier ${dossierId}`), declared };
}
