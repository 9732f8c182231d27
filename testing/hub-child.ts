// A `dancu hub` in a process of its own, started as an operator starts one: for the scale-out
// tests and the fault drills (bench/drill.ts), which kill it, stop it, and watch another take over.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ChildExit, childExit } from './child-exit.ts';

const DANCU_BIN = fileURLToPath(new URL('../bin/dancu.js', import.meta.url));
/** What `dancu hub` prints once its consumer has joined and its API listens. */
const READY_LINE = 'hub running';

export interface HubChildOptions {
  /** DANCU_INSTANCE_ID: the hub's journal chain. */
  instance: string;
  /** The Kafka consumer group the hubs share. */
  group: string;
  database: string;
  pkiDir: string;
  kafkaBrokers: readonly string[];
  mongodbUri: string;
  /** How soon Kafka gives a silent instance's partitions to another (`--session-timeout`, at least 6000). */
  sessionTimeoutMs?: number;
  /** More environment (DANCU_SHUTDOWN_SECONDS, OTEL_*…). */
  env?: Record<string, string>;
  /** How long to wait for the hub to run. */
  startTimeoutMs?: number;
  /** More `dancu hub` options (`--workers 2`…). */
  args?: string[];
}

export type HubExit = ChildExit;

export class HubChild {
  private log = '';
  readonly exited: Promise<HubExit>;

  private constructor(
    readonly instance: string,
    private readonly child: ChildProcess,
    /** host:port of its gRPC API. */
    readonly grpcAddress: string,
    /** Its admin port's base URL (/healthz, /readyz, /metrics). */
    readonly adminUrl: string,
  ) {
    const keep = (chunk: Buffer) => (this.log += chunk.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = childExit(child);
  }

  static async start(options: HubChildOptions): Promise<HubChild> {
    const [grpcPort, adminPort] = [await freePort(), await freePort()];
    const args = [
      DANCU_BIN,
      'hub',
      '--group',
      options.group,
      '--session-timeout',
      String(options.sessionTimeoutMs ?? 6_000),
      '--admin-port',
      String(adminPort),
      '--grpc-address',
      `127.0.0.1:${grpcPort}`,
      '--pki-dir',
      options.pkiDir,
      ...(options.args ?? []),
    ];
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        KAFKA_BROKERS: options.kafkaBrokers.join(','),
        MONGODB_URI: options.mongodbUri,
        DANCU_DB: options.database,
        DANCU_INSTANCE_ID: options.instance,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const hub = new HubChild(options.instance, child, `127.0.0.1:${grpcPort}`, `http://127.0.0.1:${adminPort}`);
    await hub.waitForOutput(READY_LINE, options.startTimeoutMs ?? 120_000);
    return hub;
  }

  /** What it printed so far. */
  get output(): string {
    return this.log;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once `text` has been printed; rejects if the process exits first or the time runs out. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    const exited = this.exited.then((exit) => {
      if (!done) throw new Error(`hub ${this.instance} exited (${exit.code ?? exit.signal}) before printing "${text}":\n${this.log}`);
    });
    exited.catch(() => undefined);
    while (!this.log.includes(text)) {
      if (Date.now() > deadline) throw new Error(`hub ${this.instance} did not print "${text}" within ${timeoutMs} ms:\n${this.log}`);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    done = true;
  }

  /** Sends the signal and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<HubExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
