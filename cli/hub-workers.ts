// `dancu hub --workers N`: one hub in N worker processes (node:cluster), so that it uses more than
// one core. Each worker is a whole hub instance, as several `dancu hub` processes are: it shares
// the ingest through the consumer group, journals on a chain of its own (`<instance>-w<k>`), and
// shares quota leases and registry invalidations through the store and Kafka. The primary runs no
// hub: it owns the gRPC port (cluster hands each new connection to a worker in turn; a connection
// stays with its worker), serves the admin port — /metrics with every worker's series labelled
// `worker`, /readyz ready only when every worker is, the dashboard and /connectors forwarded to
// worker 1 — and stops every worker on Ctrl-C or SIGTERM. A worker that dies stops the others:
// the primary then exits with that worker's code (1 if it had none), so an orchestrator restarts
// the whole hub rather than running it short of a worker unnoticed.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { ensureStack } from '../deploy/local/stack.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import type { Readiness } from '../hub/ingest/ingest-readiness.ts';
import { chainNameProblem } from '../hub/journal/journal-chain.ts';
import { type ApiFlags, preparePki, startHubProcess } from './hub-process.ts';
import { adminHost, databaseName, hubInstanceId, shutdownSeconds } from './settings.ts';
import { onShutdown, STOP_TIMED_OUT_EXIT_CODE, untilAborted, withTracing } from './shutdown.ts';

export interface HubFlags extends ApiFlags {
  group: string;
  sessionTimeout: number;
  adminPort: number;
}

/** The environment variable that makes a `dancu hub` process worker k of a primary. */
const WORKER_VARIABLE = 'DANCU_HUB_WORKER';

/** A worker's word to its primary once it serves. */
interface WorkerRunning {
  type: 'dancu:hub-worker-running';
  worker: number;
  instance: string;
  adminUrl: string;
  grpcPort: number;
}

const STOP = { type: 'dancu:hub-worker-stop' } as const;

/** This process's worker number when it is a hub worker, else undefined. */
export function hubWorkerNumber(): number | undefined {
  const value = process.env[WORKER_VARIABLE];
  return cluster.isWorker && value ? Number(value) : undefined;
}

/** The instance id (journal chain) of worker k of the hub instance `instance`. */
export function workerInstance(instance: string, worker: number): string {
  return `${instance}-w${worker}`;
}

/** The primary: starts the workers, serves the admin port, stops them all. Resolves with the exit code. */
export async function runHubPrimary(flags: HubFlags, workers: number): Promise<number> {
  const signal = onShutdown();
  const instance = hubInstanceId();
  const problem = chainNameProblem(workerInstance(instance, workers));
  if (problem) throw new Error(`DANCU_INSTANCE_ID ${instance} leaves no room for the worker suffix (-w${workers}): ${problem}`);
  // Before any worker: the stack up once (workers find it through the environment), and the PKI there.
  const stack = await ensureStack({ log: (line) => console.error(line) });
  await preparePki(flags, false);
  const metrics = new AggregatorRegistry();
  const running = new Map<number, WorkerRunning>();
  const exits = new Map<number, number>();
  let stopping = false;
  let failed: number | undefined;
  const all = new Map<number, Worker>();
  const stopAll = () => {
    stopping = true;
    for (const worker of all.values()) if (worker.isConnected()) worker.send(STOP);
  };
  // A hard exit (the shutdown bound, a second Ctrl-C) takes the workers with it.
  process.on('exit', () => {
    for (const worker of all.values()) if (!worker.isDead()) worker.process.kill('SIGKILL');
  });
  const allExited = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, exitSignal) => {
      const k = [...all].find(([, each]) => each === worker)?.[0] ?? 0;
      const exitCode = code ?? (exitSignal ? 1 : 0);
      exits.set(k, exitCode);
      if (!stopping || exitCode !== 0) {
        console.error(
          `hub worker ${k} ${stopping ? 'stopped' : 'exited'} with ${exitSignal ?? `code ${code}`}${stopping ? '' : '; stopping the other workers'}`,
        );
        failed ??= exitCode === 0 ? 1 : exitCode;
        stopAll();
      }
      if (exits.size === workers) resolve();
    });
  });
  const started = new Promise<void>((resolve) => {
    cluster.on('message', (_worker, message: WorkerRunning) => {
      if (message?.type !== 'dancu:hub-worker-running') return;
      running.set(message.worker, message);
      if (running.size === workers) resolve();
    });
  });
  for (let k = 1; k <= workers; k += 1) {
    const env = {
      [WORKER_VARIABLE]: String(k),
      DANCU_INSTANCE_ID: workerInstance(instance, k),
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      MONGODB_URI: stack.mongodbUri,
    };
    all.set(k, cluster.fork(env));
  }
  signal.addEventListener('abort', stopAll, { once: true });
  await Promise.race([started, allExited, untilAborted(signal)]);
  if (running.size === workers && !stopping) {
    const first = running.get(1)!;
    const admin = await AdminServer.start({
      registry: { metrics: () => metrics.clusterMetrics(), contentType: metrics.contentType },
      readiness: () => readinessOfAll(workers, running, exits),
      forward: first.adminUrl,
      port: flags.adminPort,
      host: adminHost(),
    });
    const instances = [...running.values()]
      .sort((a, b) => a.worker - b.worker)
      .map((worker) => worker.instance)
      .join(', ');
    console.error(
      `hub running: ${workers} workers (instances ${instances}), Kafka ${stack.kafkaBrokers.join(',')}, store ${databaseName()}, ` +
        `gRPC ${flags.grpcAddress} (port ${first.grpcPort}), dashboard ${admin.url}/, metrics ${admin.url}/metrics; Ctrl-C to stop`,
    );
    await Promise.race([allExited, untilAborted(signal)]);
    await admin.close();
  }
  stopAll();
  await allExited;
  return failed ?? 0;
}

/** Every worker's readiness, as one: ready when all are. */
async function readinessOfAll(
  workers: number,
  running: ReadonlyMap<number, WorkerRunning>,
  exits: ReadonlyMap<number, number>,
): Promise<Readiness> {
  const checks: Readiness['checks'] = {};
  await Promise.all(
    Array.from({ length: workers }, async (_, index) => {
      const k = index + 1;
      const worker = running.get(k);
      if (!worker || exits.has(k)) {
        checks[`worker-${k}`] = { ok: false, detail: exits.has(k) ? `exited with code ${exits.get(k)}` : 'not running yet' };
        return;
      }
      try {
        const answer = await fetch(`${worker.adminUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
        const readiness = (await answer.json()) as Readiness;
        checks[`worker-${k}`] = { ok: readiness.ready };
        for (const [name, check] of Object.entries(readiness.checks)) checks[`worker-${k}.${name}`] = check;
      } catch (error) {
        checks[`worker-${k}`] = {
          ok: false,
          detail: `its readiness could not be read: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }),
  );
  return { ready: Object.entries(checks).every(([, check]) => check.ok), checks };
}

/**
 * A worker: a whole hub, its admin port private (loopback, its own port), stopped by its primary
 * (or when the primary is gone), within the same bound as a hub of its own.
 */
export async function runHubWorker(flags: HubFlags, worker: number): Promise<number> {
  const controller = new AbortController();
  const seconds = shutdownSeconds();
  const stop = (): void => {
    if (controller.signal.aborted) return;
    controller.abort();
    setTimeout(() => {
      process.stderr.write(`hub worker ${worker} did not stop within ${seconds} s; exiting now\n`);
      process.exit(STOP_TIMED_OUT_EXIT_CODE);
    }, seconds * 1000).unref();
  };
  process.on('message', (message: typeof STOP) => message?.type === STOP.type && stop());
  process.on('disconnect', stop);
  // Ctrl-C reaches every process of the terminal's group: the primary stops the workers.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', stop);
  await withTracing(async (tracing) => {
    const {
      instance,
      hub,
      api,
      admin,
      stop: stopHub,
    } = await startHubProcess(flags, {
      createPkiIfMissing: false,
      adminPort: 0,
      adminHost: '127.0.0.1',
      adminExclusive: true,
      tracing,
      groupId: flags.group,
      sessionTimeoutMs: flags.sessionTimeout,
    });
    hub.metrics.registry.setDefaultLabels({ worker: String(worker) });
    AggregatorRegistry.setRegistries([hub.metrics.registry]);
    new AggregatorRegistry(); // answers the primary's requests for this worker's metrics
    const running: WorkerRunning = { type: 'dancu:hub-worker-running', worker, instance, adminUrl: admin.url, grpcPort: api.port };
    process.send?.(running);
    console.error(`hub worker ${worker} running: instance ${instance}`);
    await untilAborted(controller.signal);
    await stopHub();
  });
  return 0;
}
