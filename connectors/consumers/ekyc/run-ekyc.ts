// eKYC over a file of customers being onboarded: one result line per customer, in input order.
import type { HubClient } from '../hub-client.ts';
import { runJsonlBatch, type BatchSummary, type InvalidLine } from '../jsonl-batch.ts';
import { checkCustomer, customerRefused, type CustomerResult } from './check-customer.ts';
import { parseCustomer } from './customer.ts';

export interface EkycOptions {
  client: HubClient;
  customers: string;
  out: string;
  /** Read after a successful verification; each must be granted in `disclose` mode. */
  lookupFields: readonly string[];
  signal?: AbortSignal;
  onResult?: (result: CustomerResult | InvalidLine) => void;
}

export function runEkyc(options: EkycOptions): Promise<BatchSummary> {
  return runJsonlBatch({
    input: options.customers,
    output: options.out,
    parse: parseCustomer,
    check: (customer) => checkCustomer(options.client, customer, options.lookupFields),
    gaveUp: (customer, refused) => customerRefused(customer.customerId, refused),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
}
