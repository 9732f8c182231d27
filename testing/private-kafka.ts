// A Kafka of a test's or a drill's own — started by `dancu stack up` in a private DANCU_HOME on
// free loopback ports (so with the stack's own configuration, TLS listener and ACLs included, and
// the command itself is what is tested), never the shared broker: tests that need the TLS listener,
// ACLs or three nodes use it, and drills freeze or kill its brokers without touching the one every
// other process shares. `stop()` runs `dancu stack down` and removes its data.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { isListening } from '../deploy/local/address.ts';
import { type KafkaClusterSize, kafkaNodeAddresses, kafkaNodeLocations, REPO_ROOT } from '../deploy/local/locations.ts';
import { resolveEndpoints } from '../deploy/local/stack.ts';

const run = promisify(execFile);
const DANCU_BIN = fileURLToPath(new URL('../bin/dancu.js', import.meta.url));

export interface PrivateKafkaOptions {
  /** One node, or three (`stack up --brokers 3`: topics then get three replicas, min.insync.replicas 2). Default 1. */
  size?: KafkaClusterSize;
  /** The store the `dancu` processes of `env` use (default: MONGODB_URI, else the local one); `stack up` then starts Kafka only. */
  mongodbUri?: string;
  /** Each line `dancu stack up` printed. */
  log?: (line: string) => void;
}

export class PrivateKafka {
  /** Its PKI (the CA, the hub's Kafka certificate, issued certificates). */
  readonly pkiDir: string;
  /** The environment of a `dancu` process using this Kafka (and the store): KAFKA_BROKERS names its plaintext listeners. */
  readonly env: NodeJS.ProcessEnv;
  /** What `dancu stack up` printed. */
  output = '';

  private constructor(
    private readonly home: string,
    /** The environment `stack up` / `stack down` run with. */
    private readonly stackEnv: NodeJS.ProcessEnv,
    private readonly size: KafkaClusterSize,
    /** Each node's plaintext (development) listener. */
    readonly brokers: string[],
    /** Each node's mutual-TLS listener. */
    readonly tls: string[],
  ) {
    this.pkiDir = join(home, 'pki');
    this.env = { ...stackEnv, KAFKA_BROKERS: brokers.join(',') };
  }

  static async start(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
    const size = options.size ?? 1;
    const home = await mkdtemp(join(tmpdir(), 'dancu-private-kafka-'));
    const port = await freeKafkaBasePort(size);
    const {
      KAFKA_BROKERS: _shared,
      DANCU_PKI_DIR: _pki,
      KAFKA_TLS_CA: _ca,
      KAFKA_TLS_CERT: _cert,
      KAFKA_TLS_KEY: _key,
      ...inherited
    } = process.env;
    // MONGODB_URI names a store, so `stack up` starts Kafka only.
    const env = {
      ...inherited,
      DANCU_HOME: home,
      DANCU_KAFKA_PORT: String(port),
      MONGODB_URI: options.mongodbUri ?? resolveEndpoints().mongodbUri,
    };
    const nodes = Array.from({ length: size }, (_, index) => kafkaNodeAddresses(index + 1, env));
    const kafka = new PrivateKafka(
      home,
      env,
      size,
      nodes.map((node) => node.plaintext),
      nodes.map((node) => node.tls),
    );
    try {
      const { stdout } = await run(process.execPath, [DANCU_BIN, 'stack', 'up', '--brokers', String(size)], { cwd: REPO_ROOT, env });
      kafka.output = stdout;
      for (const line of stdout.split('\n').filter(Boolean)) options.log?.(line);
      await warmUp(kafka.brokers);
      return kafka;
    } catch (error) {
      await kafka.stop().catch(() => {});
      throw error;
    }
  }

  /** A node's process (from 1), as `dancu stack up` recorded it. */
  private pid(node = 1): number {
    return Number(readFileSync(kafkaNodeLocations(this.size, node, this.stackEnv).pidFile, 'utf8').trim());
  }

  /** SIGSTOP: connections stay open and nothing answers — Kafka "down" as a client sees it. */
  freeze(): void {
    process.kill(this.pid(), 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.pid(), 'SIGCONT');
  }

  /** SIGKILL one node: a broker lost without a controlled shutdown. */
  kill(node: number): void {
    process.kill(this.pid(node), 'SIGKILL');
  }

  /** `dancu stack down` (a frozen node thawed first), then its data removed. */
  async stop(): Promise<void> {
    for (let node = 1; node <= this.size; node += 1) {
      try {
        process.kill(this.pid(node), 'SIGCONT');
      } catch {
        // not running
      }
    }
    try {
      await run(process.execPath, [DANCU_BIN, 'stack', 'down'], { cwd: REPO_ROOT, env: this.stackEnv });
    } finally {
      await rm(this.home, { recursive: true, force: true });
    }
  }
}

/**
 * First and last base port tried: below Linux's ephemeral range (32768–60999 by default), which the
 * kernel hands out as the local ports of outgoing connections and of `listen(0)` (HubChild's
 * ports). A port there can be free when checked and taken by one of those before the JVM binds it,
 * and the node cannot listen: the likely cause of a CI run whose `stack up --brokers 3` failed
 * with "connect ECONNREFUSED" on a node's port in that range.
 */
const BASE_PORTS = { from: 20_000, to: 32_000 };

/** A base port (DANCU_KAFKA_PORT) whose every node's listeners are free: another test's Kafka may hold some. */
async function freeKafkaBasePort(brokers: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = BASE_PORTS.from + 10 * Math.floor((Math.random() * (BASE_PORTS.to - BASE_PORTS.from)) / 10);
    const env = { DANCU_KAFKA_PORT: String(base) };
    const addresses = Array.from({ length: brokers }, (_, index) => Object.values(kafkaNodeAddresses(index + 1, env))).flat();
    const taken = await Promise.all(addresses.map((address) => isListening(address)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error('no free loopback ports found for a private Kafka');
}

/**
 * A fresh broker answers "coordinator loading" to the first group request while it creates its
 * internal topics (as deploy/local/kafka-broker.ts warms the shared one): ask until it answers.
 */
async function warmUp(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'dancu-private-kafka-warm-up',
    brokers,
    retry: { retries: 10, initialRetryTime: 300 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(['dancu-private-kafka-warm-up']);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  await producer.disconnect();
}
