// A customer being onboarded by a licensed organisation (a bank): the identity they stated,
// checked against the population database only with their consent (R12).
import type { CitizenKey } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';
import { readCitizenKey } from '../citizen-key.ts';
import { asObject, requiredText } from '../jsonl-batch.ts';

export interface Customer {
  /** The bank's own reference for this onboarding; journaled as the case reference. */
  customerId: string;
  stated: CitizenKey;
}

export function parseCustomer(value: unknown): Customer {
  const object = asObject(value, 'a customer');
  const customerId = requiredText(object, 'customerId');
  return { customerId, stated: readCitizenKey(object, `customer ${customerId}`) };
}
