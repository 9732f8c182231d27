// eKYC for one customer: Verify the name and date of birth they stated, and once both match,
// Lookup the fields the bank is granted to read (e.g. permanentAddress) for its records.
//
// A non-state requester reads a citizen only while the citizen's consent is on record (R12).
// Until the customer confirms it (e.g. in VNeID) the hub refuses with CONSENT_MISSING: that is a
// state of the onboarding, `awaiting-consent`, not an error, and checking again later is the cure.
import { status } from '@grpc/grpc-js';
import type { HubClient } from '../hub-client.ts';
import type { BatchChecks } from '../jsonl-batch.ts';
import { Refused } from '../refused.ts';
import { type Customer, parseCustomer } from './customer.ts';

export type CustomerResult =
  | { customerId: string; outcome: 'verified'; fields: Record<string, unknown> }
  | { customerId: string; outcome: 'mismatch'; mismatched: string[] }
  | { customerId: string; outcome: 'awaiting-consent'; hint: string }
  | { customerId: string; outcome: 'refused'; status: string; reason: string; detail: string };

const CONSENT_REASONS = new Set(['CONSENT_MISSING', 'CONSENT_REVOKED']);

/** eKYC as a batch: customers in, results out; `lookupFields` are read once verified. */
export function ekycChecks(client: HubClient, lookupFields: readonly string[]): BatchChecks<Customer, CustomerResult> {
  return {
    parse: parseCustomer,
    check: (customer) => checkCustomer(client, customer, lookupFields),
    gaveUp: (customer, refused) => customerRefused(customer.customerId, refused),
  };
}

export async function checkCustomer(client: HubClient, customer: Customer, lookupFields: readonly string[]): Promise<CustomerResult> {
  const { customerId, stated } = customer;
  try {
    const verified = await client.verify(customerId, {
      personalId: stated.personalId,
      claims: [
        { field: 'fullName', value: stated.fullName },
        { field: 'dateOfBirth', value: stated.dateOfBirth },
      ],
    });
    const mismatched = verified.matches.filter((match) => !match.matches).map((match) => match.field);
    if (mismatched.length > 0) return { customerId, outcome: 'mismatch', mismatched };
    if (lookupFields.length === 0) return { customerId, outcome: 'verified', fields: {} };
    const found = await client.lookup(customerId, { citizen: stated, fields: [...lookupFields] });
    return { customerId, outcome: 'verified', fields: Object.fromEntries(found.fields.map((field) => [field.field, field.value ?? null])) };
  } catch (error) {
    if (!(error instanceof Refused) || error.retryable) throw error;
    return customerRefused(customerId, error);
  }
}

function customerRefused(customerId: string, refused: Refused): CustomerResult {
  if (refused.status === status.PERMISSION_DENIED && CONSENT_REASONS.has(refused.reason)) {
    return {
      customerId,
      outcome: 'awaiting-consent',
      hint: 'the customer has not confirmed consent for this bank (e.g. in VNeID); check again once they have',
    };
  }
  return { customerId, outcome: 'refused', ...refused.report };
}
