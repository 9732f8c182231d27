// What the exchange tests share: the exchange sandbox (testing/exchange-sandbox.ts) — a hub API
// on mutual TLS over a fresh database, citizens in the store, consumers registered the way a real
// one is — on the test stack, and a unary call as a promise of its outcome.

import { type CallOptions, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import type { RefusalFloodOptions } from '../hub/exchange/refusal-flood.ts';
import type { Journal } from '../hub/journal/journal.ts';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { REASON_METADATA_KEY } from '../proto/metadata.ts';
import { type ExchangeSandbox, startExchangeSandbox } from '../testing/exchange-sandbox.ts';
import { testEndpoints } from './endpoints.ts';
import { prepareTopics, uniqueName } from './harness.ts';

export { type Consumer, type ConsumerSpec, keyOf } from '../testing/exchange-sandbox.ts';

export type ExchangeFixture = ExchangeSandbox;

/**
 * `database`: use this one (e.g. a startTestHub's, so ingested citizens can be read) instead of a
 * fresh one; then pass that hub's `journal` too, as `dancu hub` shares one journal per process.
 */
export async function startExchangeFixture(
  options: {
    citizens?: number;
    recheckMs?: number;
    tracer?: Tracer;
    database?: string;
    journal?: Journal;
    connectors?: () => ConnectorHealth[];
    refusalFlood?: Partial<RefusalFloodOptions>;
    streamsPerAgreement?: number;
    clock?: () => Date;
  } = {},
): Promise<ExchangeFixture> {
  await prepareTopics();
  const { kafkaBrokers, mongodbUri } = testEndpoints();
  return startExchangeSandbox({
    kafkaBrokers,
    mongodbUri,
    database: options.database ?? uniqueName('dancu_exchange'),
    citizens: options.citizens ?? 20,
    recheckMs: options.recheckMs ?? 300,
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.connectors ? { connectors: options.connectors } : {}),
    ...(options.refusalFlood ? { refusalFlood: options.refusalFlood } : {}),
    ...(options.streamsPerAgreement ? { streamsPerAgreement: options.streamsPerAgreement } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** A unary call's outcome: the response, or the status code and dancu reason it was refused with. */
export type Outcome<Response> = { ok: true; response: Response } | { ok: false; code: number; reason: string; details: string };

type UnaryCallback<R> = (error: ServiceError | null, response: R) => void;
type RequestOf<M> = M extends (
  request: infer Q,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: UnaryCallback<infer _R>,
) => unknown
  ? Q
  : never;
type ResponseOf<M> = M extends (
  request: infer _Q,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: UnaryCallback<infer R>,
) => unknown
  ? R
  : never;

/** Every call made through `call` by this test file (each file has its own module state): method and refusal reason. */
export const callsMade: { method: string; reason?: string }[] = [];

/** `call(client, 'lookup', request)`: a generated client's unary method as a promise of its outcome. */
export function call<C, K extends keyof C>(
  client: C,
  method: K,
  request: RequestOf<C[K]>,
  metadata: Metadata = new Metadata(),
): Promise<Outcome<ResponseOf<C[K]>>> {
  const invoke = client[method] as unknown as (
    request: unknown,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: UnaryCallback<ResponseOf<C[K]>>,
  ) => unknown;
  return new Promise((resolve) => {
    invoke.call(client, request, metadata, {}, (error, response) => {
      const reason = error ? String(error.metadata?.get(REASON_METADATA_KEY)[0] ?? '') : undefined;
      callsMade.push({ method: String(method), ...(reason ? { reason } : {}) });
      if (error) resolve({ ok: false, code: error.code, reason: reason ?? '', details: error.details });
      else resolve({ ok: true, response });
    });
  });
}
