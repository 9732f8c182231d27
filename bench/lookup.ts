// npm run bench:lookup [-- --requests N --concurrency C --citizens K --fields F]
// Lookup throughput and latency over mutual TLS: the real hub API (enforcement against the
// registry, citizen read, journal append before the answer) beside a raw baseline in the same
// run: a plain grpc-js server with the same credentials and service definition whose Lookup
// replays one real answer. Same client, same requests, same concurrency.
import { cpus, loadavg, totalmem } from 'node:os';
import { Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Command } from 'commander';
import { Registry as MetricsRegistry, type Histogram } from 'prom-client';
import { ensureStack } from '../deploy/local/stack.ts';
import { Random } from '../connectors/simulator/random.ts';
import { ExchangeClient, ExchangeService, LookupResponse, type LookupRequest } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { keyOf, startExchangeSandbox } from '../hub/api/exchange-sandbox.ts';
import { CITIZEN_FIELDS } from '../hub/citizen/fields.ts';
import { serverCredentials } from '../hub/pki/credentials.ts';
import { describeLoad, driveCalls, type UnaryCall } from './drive-calls.ts';
import { timeLookupSteps } from './lookup-steps.ts';

const options = new Command()
  .name('bench:lookup')
  .description('Lookup over mTLS: the hub versus a canned-answer grpc-js server, same client, same run.')
  .option('--requests <n>', 'timed Lookup calls per side', '3000')
  .option('--concurrency <n>', 'calls in flight', '16')
  .option('--citizens <n>', 'simulated citizens in the store (the calls cycle over them, shuffled)', '1000')
  .option('--fields <n>', `granted fields asked for per call (1–${CITIZEN_FIELDS.length})`, '4')
  .parse()
  .opts<{ requests: string; concurrency: string; citizens: string; fields: string }>();

const requests = wholeNumber(options.requests, '--requests');
const concurrency = wholeNumber(options.concurrency, '--concurrency');
const citizenCount = wholeNumber(options.citizens, '--citizens');
const fieldCount = wholeNumber(options.fields, '--fields');
if (fieldCount > CITIZEN_FIELDS.length) throw new Error(`--fields is at most ${CITIZEN_FIELDS.length}`);
const warmUp = Math.min(300, Math.max(50, Math.round(requests / 10)));
const profiled = 200;

const stack = await ensureStack({ log: (line) => console.error(line) });
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadAverage()}`);

const metrics = new MetricsRegistry();
const runId = Date.now().toString(36);
let started = performance.now();
const sandbox = await startExchangeSandbox({ ...stack, database: `dancu_bench_lookup_${runId}`, citizens: citizenCount, metrics, log: (line) => console.error(line) });
const system = 'vss-insurance';
const consumer = await sandbox.register({
  organisation: 'vss',
  category: 'CENTRAL_STATE_BODY',
  system,
  services: ['Lookup'],
  purposes: ['SOCIAL_INSURANCE'],
  grants: CITIZEN_FIELDS.map((field) => ({ field, modes: ['disclose'] })),
  quota: { ratePerSecond: 1_000_000, dailyLimit: 10_000_000 },
});
console.log(`setup: ${sandbox.citizens.length} citizens seeded, consumer registered (${((performance.now() - started) / 1000).toFixed(1)} s)`);

// Distinct citizens in a shuffled order, so the abuse guard sees no run of consecutive ids.
const random = new Random(7);
const keys = sandbox.citizens.map(keyOf);
for (let i = keys.length - 1; i > 0; i--) {
  const j = random.int(0, i);
  [keys[i], keys[j]] = [keys[j]!, keys[i]!];
}
const fields = CITIZEN_FIELDS.slice(0, fieldCount);
const context = { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-2026-000123', officerId: 'officer-17' };
const requestAt = (index: number): LookupRequest => ({ context, citizen: keys[index % keys.length]!, fields: [...fields] });
console.log(`calls: ${requests} timed per side after ${warmUp} warm-up, concurrency ${concurrency}, ${fields.length} fields (${fields.join(', ')}), cycling over ${keys.length} citizens`);

// Warm the hub (TLS session, connection pools, JIT) and keep one real answer to replay.
let answer: LookupResponse | undefined;
const hubLookup =
  (offset: number): UnaryCall<LookupResponse> =>
  (index, callback) =>
    consumer.exchange.lookup(requestAt(offset + index), (error, response) => {
      answer ??= error ? undefined : response;
      callback(error, response);
    });
const hubWarmUp = await driveCalls(hubLookup(0), warmUp, concurrency);
if (!answer) throw new Error(`the hub answered no warm-up Lookup: ${describeLoad('warm-up', hubWarmUp)}`);
const canned = LookupResponse.fromPartial(answer);
console.log(`answer replayed by the baseline: ${LookupResponse.encode(canned).finish().length} bytes, ${canned.fields.length} fields`);

// Baseline: the same service definition and mTLS credentials, Lookup answers the canned response.
const baseline = new Server();
baseline.addService(ExchangeService, { lookup: (_call: unknown, callback: (error: null, response: LookupResponse) => void) => callback(null, canned) } as UntypedServiceImplementation);
const baselinePort = await new Promise<number>((resolve, reject) =>
  baseline.bindAsync('127.0.0.1:0', serverCredentials(sandbox.pkiDir), (error, port) => (error ? reject(error) : resolve(port))),
);
const baselineClient = new ExchangeClient(`localhost:${baselinePort}`, consumer.credentials);
const baselineLookup: UnaryCall<LookupResponse> = (index, callback) => baselineClient.lookup(requestAt(index), callback);
await driveCalls(baselineLookup, warmUp, concurrency);
const raw = await driveCalls(baselineLookup, requests, concurrency);
console.log(describeLoad('baseline (grpc-js, canned answer)', raw));
baselineClient.close();
baseline.forceShutdown();

// The hub, timed; its own histograms start from zero here.
const journalSeconds = metrics.getSingleMetric('dancu_journal_append_duration_seconds') as Histogram | undefined;
const requestSeconds = metrics.getSingleMetric('dancu_exchange_request_duration_seconds') as Histogram | undefined;
journalSeconds?.reset();
requestSeconds?.reset();
const hub = await driveCalls(hubLookup(warmUp), requests, concurrency);
console.log(describeLoad('dancu (enforcement + store + journal)', hub));
console.log(`ratio dancu / baseline: req/s ${ratio(hub.perSecond, raw.perSecond)}, p50 ${ratio(hub.p50Ms, raw.p50Ms)} (latency ×)`);
if (journalSeconds) console.log(`hub journal append: ${await histogramSummary(journalSeconds)}`);
if (requestSeconds) console.log(`hub call, arrival to answer: ${await histogramSummary(requestSeconds)}`);

// Where one call's time goes, one call at a time: end to end, then step by step.
const single = await driveCalls(hubLookup(warmUp + requests), profiled, 1);
console.log(describeLoad('dancu at concurrency 1', single));
const fingerprint = (await sandbox.api.registry.findSystem(system))?.certificateFingerprints?.[0];
if (!fingerprint) throw new Error(`system ${system} has no recorded certificate`);
const profile = (callers: number) =>
  timeLookupSteps({
    registry: sandbox.api.registry,
    store: sandbox.store,
    journal: sandbox.api.journal,
    identity: { kind: 'system', id: system, organisation: 'vss', fingerprint256: fingerprint },
    context,
    keys,
    fields,
    calls: profiled,
    concurrency: callers,
  });
const alone = await profile(1);
const crowded = await profile(concurrency);
console.log(`steps of one Lookup without gRPC, mean ms per call over ${profiled} calls: one at a time | ${concurrency} at once`);
alone.forEach(([step, ms], index) => {
  const busy = crowded[index]![1];
  if (ms > 0 || busy > 0) console.log(`  ${step.padEnd(30)} ${ms.toFixed(2).padStart(8)} | ${busy.toFixed(2).padStart(8)}`);
});
const sum = (steps: typeof alone) => steps.filter(([step]) => !step.startsWith(' ')).reduce((total, [, ms]) => total + ms, 0);
console.log(`  ${'sum of steps'.padEnd(30)} ${sum(alone).toFixed(2).padStart(8)} | ${sum(crowded).toFixed(2).padStart(8)}   (end-to-end p50 at concurrency 1: ${single.p50Ms.toFixed(2)} ms)`);

console.log(`load average at the end: ${loadAverage()}`);
consumer.exchange.close();
await sandbox.stop();
process.exit(hub.refused.size > 0 ? 1 : 0);

function wholeNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(text)}`);
  return value;
}

function ratio(dancu: number, base: number): string {
  return (dancu / base).toFixed(2);
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

/** Count, mean and the bucket holding the median of a histogram without labels. */
async function histogramSummary(histogram: Histogram): Promise<string> {
  const { values } = await histogram.get();
  const count = values.find((value) => value.metricName?.endsWith('_count'))?.value ?? 0;
  const sum = values.find((value) => value.metricName?.endsWith('_sum'))?.value ?? 0;
  if (count === 0) return 'no observations';
  const buckets = values.filter((value) => value.metricName?.endsWith('_bucket'));
  const median = buckets.find((bucket) => bucket.value >= count / 2)?.labels.le;
  return `${count} observations, mean ${((sum / count) * 1000).toFixed(2)} ms, median ≤ ${typeof median === 'number' ? `${median * 1000} ms` : String(median)}`;
}
