// The three identifiers the population database finds a citizen by, as a consumer's input line
// states them; checked here so a typo is reported with its line instead of spent as a hub call.
import type { CitizenKey } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { isDate } from '../../schemas/formats.ts';
import { parsePersonalId } from '../../schemas/personal-id.ts';
import { requiredText } from './jsonl-batch.ts';

export function readCitizenKey(object: Record<string, unknown>, label: string): CitizenKey {
  const personalId = requiredText(object, 'personalId');
  if (!parsePersonalId(personalId)) throw new Error(`${label}: "personalId" must be the 12-digit personal id`);
  const dateOfBirth = requiredText(object, 'dateOfBirth');
  if (!isDate(dateOfBirth)) throw new Error(`${label}: "dateOfBirth" must be YYYY-MM-DD`);
  return { personalId, fullName: requiredText(object, 'fullName'), dateOfBirth };
}
