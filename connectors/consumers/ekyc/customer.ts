// A customer being onboarded by a licensed organisation (a bank): the identity they stated,
// checked against the population database only with their consent (R12).
import { asObject, requiredText } from '../jsonl-batch.ts';

export interface Customer {
  /** The bank's own reference for this onboarding; journaled as the case reference. */
  customerId: string;
  personalId: string;
  fullName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
}

export function parseCustomer(value: unknown): Customer {
  const object = asObject(value, 'a customer');
  const customerId = requiredText(object, 'customerId');
  const personalId = requiredText(object, 'personalId');
  if (!/^[0-9]{12}$/.test(personalId)) throw new Error(`customer ${customerId}: "personalId" must be the 12-digit personal id`);
  const dateOfBirth = requiredText(object, 'dateOfBirth');
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(dateOfBirth)) throw new Error(`customer ${customerId}: "dateOfBirth" must be YYYY-MM-DD`);
  return { customerId, personalId, fullName: requiredText(object, 'fullName'), dateOfBirth };
}
