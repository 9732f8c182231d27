// The local stack: Kafka and FerretDB on loopback, as background processes that outlive the
// command that started them, and with tracing (`--with-tracing`) a Jaeger to collect and show spans. This is the only module the rest of dancu imports from deploy/local.
//
//   ensureStack()  what the hub, the CLI and the tests call: addresses to use, servers started if needed
//   stackUp / stackDown / stackStatus   behind `dancu stack up | down | status`
//   resolveEndpoints()                  the addresses only, starting nothing
//
// KAFKA_BROKERS and MONGODB_URI always win: a service named by the environment is never started here.
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isListening } from './address.ts';
import { lastLines } from './command.ts';
import { isOurs, livePid, type StopOutcome, startDaemon, stopDaemon } from './daemon.ts';
import { type Endpoints, resolveEndpoints } from './endpoints.ts';
import { ferretdbService, LOCAL_MONGODB_URI } from './ferretdb.ts';
import { jaegerService, LOCAL_JAEGER_UI, LOCAL_OTLP_ENDPOINT } from './jaeger.ts';
import { kafkaServices } from './kafka-broker.ts';
import { type KafkaClusterSize, stackLocations } from './locations.ts';
import { withStackLock } from './lock.ts';
import type { LocalService, ServiceName } from './service.ts';
import { StackError } from './stack-error.ts';

export { type Endpoints, resolveEndpoints } from './endpoints.ts';
export { LOCAL_JAEGER_UI, LOCAL_OTLP_ENDPOINT } from './jaeger.ts';
export { kafkaConsoleProduce } from './kafka-console.ts';
export type { ServiceName } from './service.ts';
export { StackError, type StackErrorCode } from './stack-error.ts';

export interface StackOptions {
  /** Progress for people: fetching, building, starting, ready. Silent when omitted. */
  log?: (line: string) => void;
  /** Also bring up Jaeger (it is built on first use, which takes minutes). */
  withTracing?: boolean;
  /** Kafka nodes: 1, or 3 for a real quorum. Default: the size already running, else 1. */
  brokers?: KafkaClusterSize;
}

export interface ServiceStatus {
  service: ServiceName;
  title: string;
  /** The environment variable that names another server to use instead, e.g. "KAFKA_BROKERS=10.0.0.5:9092". */
  replacedBy?: string;
  /** Whether the local process is alive (even when the environment points elsewhere). */
  running: boolean;
  /** Whether the local server answered a real request just now. */
  answering: boolean;
  pid?: number;
  address: string;
  dataDir: string;
  logFile: string;
}

export interface ServiceUpReport extends ServiceStatus {
  outcome: 'started' | 'already-running' | 'replaced-by-environment';
  elapsedMs: number;
}

export interface ServiceDownReport {
  service: ServiceName;
  title: string;
  outcome: StopOutcome;
  pid?: number;
}

export interface EnsuredStack {
  kafkaBrokers: string[];
  mongodbUri: string;
  /** True where the local stack serves it; false where KAFKA_BROKERS / MONGODB_URI named another server. */
  startedLocally: { kafka: boolean; ferretdb: boolean };
  /** With `withTracing`: where to send spans (OTEL_EXPORTER_OTLP_ENDPOINT) and where Jaeger shows them. */
  tracing?: { otlpEndpoint: string; jaegerUrl: string };
}

/** The addresses to use, after bringing up whichever local services the environment does not replace. */
export async function ensureStack(options: StackOptions = {}): Promise<EnsuredStack> {
  const endpoints = resolveEndpoints();
  const { kafka, ferretdb } = endpoints.fromEnvironment;
  if (!kafka || !ferretdb || options.withTracing) await stackUp(options);
  return {
    kafkaBrokers: endpoints.kafkaBrokers,
    mongodbUri: endpoints.mongodbUri,
    startedLocally: { kafka: !kafka, ferretdb: !ferretdb },
    ...(options.withTracing ? { tracing: { otlpEndpoint: LOCAL_OTLP_ENDPOINT, jaegerUrl: LOCAL_JAEGER_UI } } : {}),
  };
}

/** Starts what is not running yet (fetching or building it on first use) and waits until it answers. */
export async function stackUp(options: StackOptions = {}): Promise<ServiceUpReport[]> {
  const log = options.log ?? (() => {});
  const endpoints = resolveEndpoints();
  const brokers = options.brokers ?? runningKafkaSize() ?? 1;
  return withStackLock(stackLocations().lockFile, log, () => {
    const other = runningKafkaSize();
    if (other !== undefined && other !== brokers && !endpoints.fromEnvironment.kafka) {
      throw new StackError(
        'port-in-use',
        `A ${other}-node Kafka runs from ${stackLocations().homeDir}; \`dancu stack down\` first to run ${brokers}.`,
        false,
      );
    }
    return allOrFirstError(
      localServices(options.withTracing ?? false, brokers).map((service) => bringUp(service, replacement(service.name, endpoints), log)),
    );
  });
}

/** Stops the local services: SIGTERM, then SIGKILL if one is still there after its grace period. */
export async function stackDown(options: StackOptions = {}): Promise<ServiceDownReport[]> {
  const log = options.log ?? (() => {});
  return withStackLock(stackLocations().lockFile, log, () =>
    allOrFirstError(
      localServices(true, runningKafkaSize() ?? 1).map(async (service): Promise<ServiceDownReport> => {
        const pid = livePid(service.pidFile, service.marker);
        const outcome = await stopDaemon(service.pidFile, service.marker, service.stopGraceMs);
        log(
          outcome === 'not-running'
            ? `${service.title} was not running.`
            : outcome === 'stopped'
              ? `Stopped ${service.title} (pid ${pid}).`
              : `${service.title} (pid ${pid}) ignored SIGTERM for ${service.stopGraceMs / 1000} s and was killed.`,
        );
        return { service: service.name, title: service.title, outcome, pid };
      }),
    ),
  );
}

/** Whether this checkout's local Jaeger runs (i.e. the stack was brought up `--with-tracing`). */
export function tracingStackRunning(): boolean {
  const jaeger = jaegerService();
  return livePid(jaeger.pidFile, jaeger.marker) !== undefined;
}

/** What runs where, without changing anything (except forgetting pid files of dead processes). */
export async function stackStatus(): Promise<ServiceStatus[]> {
  const endpoints = resolveEndpoints();
  return Promise.all(
    localServices(true, runningKafkaSize() ?? 1).map((service) => statusOf(service, replacement(service.name, endpoints))),
  );
}

/** `down` and `status` always include Jaeger, so one started with tracing is never left behind. */
function localServices(withTracing: boolean, brokers: KafkaClusterSize): LocalService[] {
  return [...kafkaServices(brokers), ferretdbService(), ...(withTracing ? [jaegerService()] : [])];
}

/** How many Kafka nodes this DANCU_HOME runs now (1 or 3), or undefined when none runs. */
function runningKafkaSize(): KafkaClusterSize | undefined {
  for (const size of [3, 1] as const) {
    if (kafkaServices(size).some((node) => livePid(node.pidFile, node.marker) !== undefined)) return size;
  }
  return undefined;
}

/**
 * How a person would point dancu at their own server instead of this one. Jaeger has none:
 * `--with-tracing` asks for the local one, and OTEL_EXPORTER_OTLP_ENDPOINT may name it.
 */
const ENVIRONMENT_VARIABLE: Partial<Record<ServiceName, { name: string; localValue: string }>> = {
  kafka: { name: 'KAFKA_BROKERS', localValue: 'host:port' },
  ferretdb: { name: 'MONGODB_URI', localValue: LOCAL_MONGODB_URI },
};

function replacement(service: ServiceName, endpoints: Endpoints): string | undefined {
  if (service === 'jaeger' || !endpoints.fromEnvironment[service]) return undefined;
  const value = service === 'kafka' ? endpoints.kafkaBrokers.join(',') : endpoints.mongodbUri;
  return `${ENVIRONMENT_VARIABLE[service]?.name}=${value}`;
}

async function bringUp(service: LocalService, replacedBy: string | undefined, log: (line: string) => void): Promise<ServiceUpReport> {
  const started = Date.now();
  const report = async (outcome: ServiceUpReport['outcome']): Promise<ServiceUpReport> => ({
    ...(await statusOf(service, replacedBy)),
    outcome,
    elapsedMs: Date.now() - started,
  });
  if (replacedBy) {
    log(`${service.title}: not started here, because ${replacedBy} is set.`);
    return report('replaced-by-environment');
  }
  const running = livePid(service.pidFile, service.marker);
  if (running !== undefined) {
    await waitUntilAnswering(service, running); // at once, unless it is still starting up
    log(`${service.title} is already running (pid ${running}) on ${service.address}.`);
    return report('already-running');
  }
  for (const address of service.listensOn) {
    if (!(await isListening(address))) continue;
    const variable = ENVIRONMENT_VARIABLE[service.name];
    const instead =
      variable && address === service.address
        ? `, or use it by setting ${variable.name}=${service.name === 'kafka' ? address : variable.localValue}`
        : '';
    throw new StackError(
      'port-in-use',
      `${address} is taken by a process dancu did not start (${service.pidFile} names no live process), ` +
        `so ${service.title} cannot listen there. Stop that process (\`ss -ltnp | grep ${address}\` finds it)${instead}.`,
      false,
    );
  }
  const spec = await service.prepare(log);
  const pid = startDaemon(spec);
  log(`Started ${service.title} (pid ${pid}); waiting for it to answer on ${service.address}…`);
  await waitUntilAnswering(service, pid);
  await service.warmUp?.();
  log(`${service.title} is ready on ${service.address} (${secondsSince(started)} s). Log: ${service.logFile}`);
  return report('started');
}

async function waitUntilAnswering(service: LocalService, pid: number): Promise<void> {
  const deadline = Date.now() + service.readyTimeoutMs;
  for (;;) {
    if (!isOurs(pid, service.marker)) {
      rmSync(service.pidFile, { force: true });
      throw new StackError(
        'start-failed',
        `${service.title} (pid ${pid}) exited while starting; the cause is in ${service.logFile}:\n${logTail(service)}`,
        false,
      );
    }
    let lastError: unknown;
    try {
      await service.probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new StackError(
        'not-ready',
        `${service.title} (pid ${pid}) did not answer on ${service.address} within ${service.readyTimeoutMs / 1000} s ` +
          `(last error: ${reason}). It is left running: read ${service.logFile}, then \`dancu stack down\` ` +
          `and \`dancu stack up\` again. From the log:\n${logTail(service)}`,
        true,
      );
    }
    await sleep(500);
  }
}

async function statusOf(service: LocalService, replacedBy: string | undefined): Promise<ServiceStatus> {
  const pid = livePid(service.pidFile, service.marker);
  const answering =
    pid !== undefined &&
    (await service.probe().then(
      () => true,
      () => false,
    ));
  return {
    service: service.name,
    title: service.title,
    ...(replacedBy ? { replacedBy } : {}),
    running: pid !== undefined,
    answering,
    ...(pid !== undefined ? { pid } : {}),
    address: service.address,
    dataDir: service.dataDir,
    logFile: service.logFile,
  };
}

/** The services are handled side by side; if either fails, the caller hears about every failure. */
async function allOrFirstError<T>(work: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (errors.length === 0) return results.map((result) => (result as PromiseFulfilledResult<T>).value);
  const first = errors[0];
  if (errors.length === 1) throw first;
  const message = errors.map((error) => (error instanceof Error ? error.message : String(error))).join('\n\n');
  throw first instanceof StackError ? new StackError(first.code, message, first.retryable) : new Error(message);
}

/** The log's first error (usually the cause; stack traces and shutdown chatter follow it) and its last lines. */
function logTail(service: LocalService): string {
  let log: string;
  try {
    log = readFileSync(service.logFile, 'utf8');
  } catch {
    return '(no log yet)';
  }
  const firstError = log.split('\n').find((line) => /\b(ERROR|FATAL|PANIC)\b|Exception/.test(line));
  return (firstError ? `${firstError}\n...\n` : '') + lastLines(log, 15);
}

function secondsSince(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}
