// The one citizen a call names by its key (personal id, full name, date of birth), after the
// enforcement pipeline admitted the call: Lookup, ReportDataError and the citizen's own portal
// calls all find a citizen this way, so none is a cheaper oracle than another.
import type { CitizenDocument } from '../citizen/citizen-document.ts';
import type { AbuseGuard } from './abuse-guard.ts';
import type { CitizenReader } from './citizen-cache.ts';
import { matchesKey } from './citizen-view.ts';
import type { CitizenKey } from './exchange-call.ts';
import type { CallRecord } from './journaled-call.ts';
import { refuse } from './refusal.ts';

/** Guessing throttled first; then all three of id, name and date of birth must match, else NOT_FOUND without saying which. */
export async function findCitizen(
  deps: { abuse: AbuseGuard; store: CitizenReader },
  record: CallRecord,
  agreementId: string,
  key: CitizenKey,
): Promise<CitizenDocument> {
  deps.abuse.admit(agreementId, [key.personalId]);
  deps.abuse.admitKeys(agreementId, [key]);
  const document = await record.trace.step('store.read', () => deps.store.readCitizen(key.personalId));
  const found = matchesKey(document, key);
  deps.abuse.record(agreementId, key.personalId, found);
  if (!found) refuse('CITIZEN_NOT_FOUND', 'no citizen matches this personal id, full name and date of birth');
  return document;
}
