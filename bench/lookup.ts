// npm run bench:lookup [-- --requests N --concurrency 16,64 --citizens K --fields F --client-processes P --hub-workers W]
// Lookup throughput and latency over mutual TLS: the real hub API (enforcement against the
// registry, citizen read, journal append before the answer) beside a raw baseline in the same
// run: a plain grpc-js server with the same credentials and service definition whose Lookup
// replays one real answer. The load generator runs in processes of its own (lookup-client.ts),
// the same for both sides, at each concurrency: baseline first, then dancu. With --hub-workers the
// dancu side is a `dancu hub [--workers W]` process of its own over the same database and PKI.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Command } from 'commander';
import { type Histogram, Registry as MetricsRegistry } from 'prom-client';
import { Random } from '../connectors/simulator/random.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { CITIZEN_FIELDS } from '../hub/citizen/fields.ts';
import { serverCredentials } from '../hub/pki/credentials.ts';
import { connectKafka } from '../kafka/connect.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { ExchangeService, type LookupRequest, LookupResponse } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { SOURCES } from '../schemas/sources.ts';
import { keyOf, startExchangeSandbox } from '../testing/exchange-sandbox.ts';
import { HubChild } from '../testing/hub-child.ts';
import { describeLoad, driveCalls, type LoadResult, loadResult } from './drive-calls.ts';
import type { ClientPlan, ClientReport } from './lookup-client.ts';
import { timeLookupSteps } from './lookup-steps.ts';

const options = new Command()
  .name('bench:lookup')
  .description('Lookup over mTLS: the hub versus a canned-answer grpc-js server, same client processes, same run.')
  .option('--requests <n>', 'timed Lookup calls per side and concurrency', '3000')
  .option('--concurrency <list>', 'calls in flight, one run per value (comma-separated)', '16,64')
  .option('--citizens <n>', 'simulated citizens in the store (the calls cycle over them, shuffled)', '1000')
  .option('--fields <n>', `granted fields asked for per call (1–${CITIZEN_FIELDS.length})`, '4')
  .option('--client-processes <n>', 'load-generator processes per run, sharing the calls in flight', '1')
  .option(
    '--hub-workers <n>',
    'measure a `dancu hub` process of its own (with --workers n when n > 1) instead of the API in this process; each client process is one connection, and a connection stays on one worker',
  )
  .parse()
  .opts<{ requests: string; concurrency: string; citizens: string; fields: string; clientProcesses: string; hubWorkers?: string }>();

const requests = wholeNumber(options.requests, '--requests');
const levels = options.concurrency.split(',').map((text) => wholeNumber(text.trim(), '--concurrency'));
const citizenCount = wholeNumber(options.citizens, '--citizens');
const fieldCount = wholeNumber(options.fields, '--fields');
const clientProcesses = wholeNumber(options.clientProcesses, '--client-processes');
const hubWorkers = options.hubWorkers === undefined ? undefined : wholeNumber(options.hubWorkers, '--hub-workers');
if (fieldCount > CITIZEN_FIELDS.length) throw new Error(`--fields is at most ${CITIZEN_FIELDS.length}`);
const warmUp = Math.min(300, Math.max(50, Math.round(requests / 10)));
const profiled = 200;
const concurrency = Math.max(...levels);

const stack = await ensureStack({ log: (line) => console.error(line) });
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadAverage()}`,
);

const metrics = new MetricsRegistry();
const runId = Date.now().toString(36);
let started = performance.now();
const sandbox = await startExchangeSandbox({
  ...stack,
  database: `dancu_bench_lookup_${runId}`,
  citizens: citizenCount,
  metrics,
  log: (line) => console.error(line),
});
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
console.log(
  `setup: ${sandbox.citizens.length} citizens seeded, consumer registered (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);

// Distinct citizens in a shuffled order, so the abuse guard sees no run of consecutive ids.
const random = new Random(7);
const keys = sandbox.citizens.map(keyOf);
for (let i = keys.length - 1; i > 0; i--) {
  const j = random.int(0, i);
  [keys[i], keys[j]] = [keys[j]!, keys[i]!];
}
const fields = CITIZEN_FIELDS.slice(0, fieldCount);
const context = {
  agreementId: consumer.agreementId,
  purpose: 'SOCIAL_INSURANCE',
  caseReference: 'HS-2026-000123',
  officerId: 'officer-17',
};
const lookupRequests: LookupRequest[] = keys.map((citizen) => ({ context, citizen, fields: [...fields] }));
console.log(
  `calls: ${requests} timed per side and concurrency (${levels.join(', ')}) after ${warmUp} warm-up, ${fields.length} fields (${fields.join(', ')}), cycling over ${keys.length} citizens; load from ${clientProcesses} client process(es) per run`,
);

// One real answer to replay, taken in this process before anything is timed.
let answer: LookupResponse | undefined;
await driveCalls(
  (index, callback) =>
    consumer.exchange.lookup(lookupRequests[index]!, (error, response) => {
      answer ??= error ? undefined : response;
      callback(error, response);
    }),
  10,
  1,
);
if (!answer) throw new Error('the hub answered no Lookup to replay');
const canned = LookupResponse.fromPartial(answer);
console.log(`answer replayed by the baseline: ${LookupResponse.encode(canned).finish().length} bytes, ${canned.fields.length} fields`);

// Baseline: the same service definition and mTLS credentials, Lookup answers the canned response.
const baseline = new Server();
baseline.addService(ExchangeService, {
  lookup: (_call: unknown, callback: (error: null, response: LookupResponse) => void) => callback(null, canned),
} as UntypedServiceImplementation);
const baselinePort = await new Promise<number>((resolve, reject) =>
  baseline.bindAsync('127.0.0.1:0', serverCredentials(sandbox.pkiDir), (error, port) => (error ? reject(error) : resolve(port))),
);

/**
 * The servers' CPU — this process's, and a spawned hub's with its workers — sampled every 50 ms,
 * to be read over a client's timed window.
 */
const cpuSampler = (() => {
  const samples: { at: number; seconds: number }[] = [];
  const sample = () => {
    const { user, system } = process.cpuUsage();
    samples.push({ at: Date.now(), seconds: (user + system) / 1e6 + (spawned ? processTreeCpuSeconds(spawned.pid) : 0) });
  };
  setInterval(sample, 50).unref();
  const at = (time: number) => samples.find((s) => s.at >= time) ?? samples.at(-1)!;
  return {
    secondsBetween(from: number, to: number): number {
      sample();
      const [start, end] = [at(from), at(to)];
      return ((end.seconds - start.seconds) * (to - from)) / Math.max(1, end.at - start.at);
    },
  };
})();
// The dancu side: the API in this process, or a `dancu hub` process over the same database and PKI.
let spawned: HubChild | undefined;
if (hubWorkers !== undefined) {
  const group = `dancu-bench-lookup-${runId}`;
  await startGroupAtEnd(connectKafka({ brokers: stack.kafkaBrokers, clientId: 'dancu-bench' }), group, SOURCES.map(sourceTopic));
  started = performance.now();
  spawned = await HubChild.start({
    instance: `bench-${runId}`,
    group,
    database: sandbox.database,
    pkiDir: sandbox.pkiDir,
    kafkaBrokers: stack.kafkaBrokers,
    mongodbUri: stack.mongodbUri,
    ...(hubWorkers > 1 ? { args: ['--workers', String(hubWorkers)] } : {}),
  });
  console.log(
    `dancu side: \`dancu hub${hubWorkers > 1 ? ` --workers ${hubWorkers}` : ''}\` in a process of its own (${((performance.now() - started) / 1000).toFixed(1)} s to start)`,
  );
}
const dancuAddress = spawned?.grpcAddress ?? sandbox.address;

const plans = await mkdtemp(join(tmpdir(), 'dancu-bench-lookup-'));
let offset = 0;
/** Runs the load generator in `clientProcesses` processes against `address`; merges their latencies. */
async function load(address: string, inFlight: number, calls = requests): Promise<LoadResult & { cpu: string }> {
  const reports = await Promise.all(
    Array.from({ length: clientProcesses }, async (_, n) => {
      const share = (total: number) => Math.floor(total / clientProcesses) + (n < total % clientProcesses ? 1 : 0);
      const plan: ClientPlan = {
        address,
        tls: consumer.tls,
        requests: lookupRequests,
        offset,
        warmUp: share(warmUp),
        calls: share(calls),
        concurrency: Math.max(1, share(inFlight)),
      };
      offset += plan.warmUp + plan.calls;
      const file = join(plans, `plan-${offset}.json`);
      await writeFile(file, JSON.stringify(plan));
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/run-ts.js', 'bench/lookup-client.ts', file], {
        maxBuffer: 64 * 2 ** 20,
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as ClientReport;
    }),
  );
  const latencies = Float64Array.from(reports.flatMap((report) => report.latenciesMs)).sort();
  const refused = new Map<string, number>();
  for (const report of reports)
    for (const [reason, count] of Object.entries(report.refused)) refused.set(reason, (refused.get(reason) ?? 0) + count);
  const seconds = Math.max(...reports.map((report) => report.seconds));
  const clientCpu = reports.reduce((total, report) => total + report.cpuSeconds, 0);
  const from = Math.min(...reports.map((report) => report.window[0]));
  const to = Math.max(...reports.map((report) => report.window[1]));
  const share = (cpuSeconds: number, span: number) => `${Math.round((cpuSeconds / span) * 100)} %`;
  const cpu = `CPU (100 % = one core): servers' process${spawned ? "es (this one and the hub's)" : ''} ${share(cpuSampler.secondsBetween(from, to), (to - from) / 1000)}, client process(es) ${share(clientCpu, seconds)}; load average ${loadAverage()}`;
  return { ...loadResult(latencies, seconds, refused), cpu };
}

const journalSeconds = metrics.getSingleMetric('dancu_journal_append_duration_seconds') as Histogram | undefined;
const requestSeconds = metrics.getSingleMetric('dancu_exchange_request_duration_seconds') as Histogram | undefined;
const runs: { inFlight: number; raw: LoadResult; hub: LoadResult }[] = [];
for (const inFlight of levels) {
  const raw = await load(`localhost:${baselinePort}`, inFlight);
  console.log(describeLoad(`baseline (grpc-js, canned answer), ${inFlight} in flight`, raw));
  console.log(`  ${raw.cpu}`);
  journalSeconds?.reset();
  requestSeconds?.reset();
  const writes = { ...sandbox.api.journal.writes };
  const hubJournal = spawned && (await spawnedJournalSeconds(spawned));
  const hub = await load(dancuAddress, inFlight);
  console.log(describeLoad(`dancu (enforcement + store + journal), ${inFlight} in flight`, hub));
  console.log(`  ${hub.cpu}`);
  if (spawned && hubJournal) {
    const after = await spawnedJournalSeconds(spawned);
    const count = after.count - hubJournal.count;
    console.log(
      `  hub journal append (all workers): ${count} observations, mean ${(((after.sum - hubJournal.sum) / Math.max(1, count)) * 1000).toFixed(2)} ms`,
    );
  } else {
    const inserts = sandbox.api.journal.writes.inserts - writes.inserts;
    const entries = sandbox.api.journal.writes.entries - writes.entries;
    console.log(
      `  hub journal: ${entries} entries in ${inserts} inserts (${(entries / Math.max(1, inserts)).toFixed(1)} per insert, warm-up included)`,
    );
  }
  if (!spawned && journalSeconds) console.log(`  hub journal append: ${await histogramSummary(journalSeconds)}`);
  if (!spawned && requestSeconds) console.log(`  hub call, arrival to answer: ${await histogramSummary(requestSeconds)}`);
  runs.push({ inFlight, raw, hub });
}
baseline.forceShutdown();

console.log('\nin flight | side     |   req/s |  p50 ms |  p99 ms | dancu/baseline req/s | p99 ×');
for (const { inFlight, raw, hub } of runs) {
  const row = (side: string, result: LoadResult, ratios: string) =>
    console.log(
      `${String(inFlight).padStart(9)} | ${side.padEnd(8)} | ${Math.round(result.perSecond).toString().padStart(7)} | ${result.p50Ms.toFixed(1).padStart(7)} | ${result.p99Ms.toFixed(1).padStart(7)} | ${ratios}`,
    );
  row('baseline', raw, '');
  row('dancu', hub, `${ratio(hub.perSecond, raw.perSecond).padStart(20)} | ${ratio(hub.p99Ms, raw.p99Ms)}`);
}
console.log('goal: dancu / baseline ≥ 0.5 in req/s and dancu p99 ≤ 3 × the baseline p99\n');

// Where one call's time goes, one call at a time: end to end, then step by step.
const single = await load(dancuAddress, 1, profiled);
console.log(describeLoad('dancu at concurrency 1', single));
const fingerprint = (await sandbox.api.registry.findSystem(system))?.certificateFingerprints?.[0];
if (!fingerprint) throw new Error(`system ${system} has no recorded certificate`);
const profile = (callers: number, registryCache: 'none' | 'as-in-the-hub' = 'none') =>
  timeLookupSteps({
    registry: sandbox.api.registry,
    store: sandbox.api.citizens,
    journal: sandbox.api.journal,
    identity: { kind: 'system', id: system, organisation: 'vss', fingerprint256: fingerprint },
    context,
    keys,
    fields,
    calls: profiled,
    concurrency: callers,
    registryCache,
  });
const alone = await profile(1);
const crowded = await profile(concurrency);
const asInHub = await profile(concurrency, 'as-in-the-hub');
console.log(
  `steps of one Lookup without gRPC, mean ms per call over ${profiled} calls: one at a time | ${concurrency} at once | ${concurrency} at once with the hub's registry cache (registry rows: reads that reached the store, mostly refreshes nobody waited for)`,
);
alone.forEach(([step, ms], index) => {
  const busy = crowded[index]![1];
  const hubLike = asInHub[index]![1];
  if (ms > 0 || busy > 0 || hubLike > 0)
    console.log(`  ${step.padEnd(30)} ${ms.toFixed(2).padStart(8)} | ${busy.toFixed(2).padStart(8)} | ${hubLike.toFixed(2).padStart(8)}`);
});
const sum = (steps: typeof alone) => steps.filter(([step]) => !step.startsWith(' ')).reduce((total, [, ms]) => total + ms, 0);
console.log(
  `  ${'sum of steps'.padEnd(30)} ${sum(alone).toFixed(2).padStart(8)} | ${sum(crowded).toFixed(2).padStart(8)} | ${sum(asInHub).toFixed(2).padStart(8)}   (end-to-end p50 at concurrency 1: ${single.p50Ms.toFixed(2)} ms)`,
);

console.log(`load average at the end: ${loadAverage()}`);
consumer.exchange.close();
if (spawned) {
  const exit = await spawned.kill('SIGTERM');
  if (exit.code !== 0) console.error(`the hub process stopped with ${exit.code ?? exit.signal}:\n${spawned.output.slice(-2000)}`);
}
await rm(plans, { recursive: true, force: true });
await sandbox.stop();
process.exit(runs.some((run) => run.hub.refused.size > 0) ? 1 : 0);

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

/** CPU seconds (user + system) of a process and its children (a hub's workers), from /proc. */
function processTreeCpuSeconds(pid: number): number {
  const ticks = (id: number): number => {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0; // gone
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return [pid, ...children].reduce((total, id) => total + ticks(id), 0) / 100; // USER_HZ
}

/** Sum and count of the spawned hub's journal-append histogram, over every worker. */
async function spawnedJournalSeconds(hub: HubChild): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${hub.adminUrl}/metrics`)).text();
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`dancu_journal_append_duration_seconds_${suffix}`))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return { sum: total('sum'), count: total('count') };
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
