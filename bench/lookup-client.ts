// The load generator of bench:lookup, in a process of its own so that the client's TLS and
// protobuf work does not share the measured server's event loop (or its core).
//   node bin/run-ts.js bench/lookup-client.ts <plan.json>
// The plan names the address, the client's TLS files, the requests to cycle over, how many to
// send after a warm-up and how many in flight. Prints one JSON line: every latency and the span.
import { readFileSync } from 'node:fs';
import { type ClientTls, clientCredentials } from '../hub/pki/credentials.ts';
import { ExchangeClient, type LookupRequest, type LookupResponse } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { driveCalls, type UnaryCall } from './drive-calls.ts';

export interface ClientPlan {
  address: string;
  tls: ClientTls;
  requests: LookupRequest[];
  /** Where in `requests` this client starts (so repeated runs do not replay the same order). */
  offset: number;
  warmUp: number;
  calls: number;
  concurrency: number;
}

/** What a client process prints. */
export interface ClientReport {
  latenciesMs: number[];
  seconds: number;
  refused: Record<string, number>;
  /** CPU seconds this client process used over the timed calls (user + system). */
  cpuSeconds: number;
  /** When the timed calls began and ended (epoch ms), so the server side can take its CPU over the same span. */
  window: [number, number];
}

const path = process.argv[2];
if (!path) throw new Error('usage: node bin/run-ts.js bench/lookup-client.ts <plan.json>');
const plan = JSON.parse(readFileSync(path, 'utf8')) as ClientPlan;
const client = new ExchangeClient(plan.address, clientCredentials(plan.tls));
const lookup =
  (offset: number): UnaryCall<LookupResponse> =>
  (index, callback) =>
    client.lookup(plan.requests[(offset + index) % plan.requests.length]!, callback);
await driveCalls(lookup(plan.offset), plan.warmUp, plan.concurrency);
const cpu = process.cpuUsage();
const began = Date.now();
const timed = await driveCalls(lookup(plan.offset + plan.warmUp), plan.calls, plan.concurrency, { keepLatencies: true });
const { user, system } = process.cpuUsage(cpu);
client.close();
const report: ClientReport = {
  latenciesMs: [...(timed.latenciesMs ?? [])],
  seconds: timed.seconds,
  refused: Object.fromEntries(timed.refused),
  cpuSeconds: (user + system) / 1e6,
  window: [began, Date.now()],
};
process.stdout.write(`${JSON.stringify(report)}\n`);
