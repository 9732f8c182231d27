// Where the local stack keeps things. Two roots, because they age differently:
// the cache (DANCU_CACHE) holds what can be downloaded or rebuilt and is shared by every checkout;
// the home (DANCU_HOME) holds this checkout's data, logs and pid files.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './stack-error.ts';

/** The repository root: deploy/local/ is two levels below it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the checked-in configuration of the local Kafka lives (pom, properties, log4j2). */
export const KAFKA_DEPLOY_DIR = join(REPO_ROOT, 'deploy', 'local', 'kafka');

export const KAFKA_VERSION = '4.1.1';
export const FERRETDB_VERSION = 'v1.24.2';
export const JAEGER_VERSION = 'v1.76.0';

/** Loopback only: the local stack is for development and tests, never reachable from outside. */
export const ADDRESSES = {
  ferretdb: '127.0.0.1:27017',
  jaegerOtlpGrpc: '127.0.0.1:4317',
  jaegerOtlpHttp: '127.0.0.1:4318',
  /** Jaeger's UI and HTTP query API. */
  jaegerQuery: '127.0.0.1:16686',
  jaegerQueryGrpc: '127.0.0.1:16685',
  jaegerHealth: '127.0.0.1:13133',
} as const;

/** `dancu stack up --brokers 3`: the one cluster size besides a single node. */
export const KAFKA_CLUSTER_SIZES = [1, 3] as const;
export type KafkaClusterSize = (typeof KAFKA_CLUSTER_SIZES)[number];

/** One Kafka node's three listeners on loopback. */
export interface KafkaNodeAddresses {
  /** Plaintext, no authentication: the hub's development shortcut (SECURITY.md, "Sources"). */
  plaintext: string;
  /** The KRaft controller quorum. */
  controller: string;
  /** TLS with client certificates and ACLs: what sources (and any admitted client) use. */
  tls: string;
}

/**
 * Node n (1-based) listens on base + 10·(n−1) (plaintext), +1 (controller) and +2 (TLS); the base is
 * DANCU_KAFKA_PORT, default 9092, so a second stack (a test's private cluster) can run beside the first.
 */
export function kafkaNodeAddresses(node: number, env: NodeJS.ProcessEnv = process.env): KafkaNodeAddresses {
  const base = kafkaBasePort(env) + 10 * (node - 1);
  return { plaintext: `127.0.0.1:${base}`, controller: `127.0.0.1:${base + 1}`, tls: `127.0.0.1:${base + 2}` };
}

function kafkaBasePort(env: NodeJS.ProcessEnv): number {
  const text = env.DANCU_KAFKA_PORT?.trim();
  if (!text) return 9092;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1024 || port > 65_000) {
    throw new StackError(
      'endpoint-invalid',
      `DANCU_KAFKA_PORT must be a port between 1024 and 65000 (the first Kafka node's plaintext port), not "${text}"; fix it, or unset it for 9092.`,
      false,
    );
  }
  return port;
}

export interface StackLocations {
  cacheDir: string;
  homeDir: string;
  /** The hub's PKI (DANCU_PKI_DIR, else DANCU_HOME/pki): the local Kafka's TLS listener trusts its CA. */
  pkiDir: string;
  /** Held while `up` or `down` runs, so two of them never race on the same processes. */
  lockFile: string;
  kafka: {
    libsDir: string;
    /** Node 1 of a single-node stack; see `kafkaNodeLocations` for every node of either size. */
    dataDir: string;
    configFile: string;
    logFile: string;
    pidFile: string;
  };
  ferretdb: {
    binary: string;
    dataDir: string;
    /** FerretDB's own small state (instance id, telemetry choice), kept apart from the databases. */
    stateDir: string;
    logFile: string;
    pidFile: string;
  };
  jaeger: {
    binary: string;
    /** Its collector configuration, written on each start; its path is also the process's marker. */
    configFile: string;
    logFile: string;
    pidFile: string;
  };
}

export interface KafkaNodeLocations {
  dataDir: string;
  /** Also the process's marker: it differs between nodes, cluster sizes and homes. */
  configFile: string;
  logFile: string;
  pidFile: string;
}

/**
 * A single node keeps the paths it always had; a three-node cluster has its own data, so switching
 * sizes never starts a node on storage formatted for the other quorum.
 */
export function kafkaNodeLocations(size: KafkaClusterSize, node: number, env: NodeJS.ProcessEnv = process.env): KafkaNodeLocations {
  const single = stackLocations(env).kafka;
  if (size === 1) return { dataDir: single.dataDir, configFile: single.configFile, logFile: single.logFile, pidFile: single.pidFile };
  const { homeDir } = stackLocations(env);
  const name = `kafka-cluster-node-${node}`;
  return {
    dataDir: join(homeDir, 'data', 'kafka-cluster', `node-${node}`),
    configFile: join(homeDir, 'run', `${name}.properties`),
    logFile: join(homeDir, 'logs', `${name}.log`),
    pidFile: join(homeDir, 'run', `${name}.pid`),
  };
}

/** Read on every call, so a test or script can point DANCU_HOME elsewhere before using the stack. */
export function stackLocations(env: NodeJS.ProcessEnv = process.env): StackLocations {
  const cacheDir = resolve(env.DANCU_CACHE || join(homedir(), '.cache', 'dancu'));
  const homeDir = resolve(env.DANCU_HOME || join(REPO_ROOT, '.dancu'));
  const data = join(homeDir, 'data');
  const logs = join(homeDir, 'logs');
  const run = join(homeDir, 'run');
  return {
    cacheDir,
    homeDir,
    pkiDir: env.DANCU_PKI_DIR ? resolve(env.DANCU_PKI_DIR) : join(homeDir, 'pki'),
    lockFile: join(run, 'stack.lock'),
    kafka: {
      libsDir: join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs'),
      dataDir: join(data, 'kafka'),
      configFile: join(run, 'kafka-server.properties'),
      logFile: join(logs, 'kafka.log'),
      pidFile: join(run, 'kafka.pid'),
    },
    ferretdb: {
      // Named for the fixes built into it (see ferretdb-build.ts), so a build without one is never reused.
      binary: join(cacheDir, 'bin', `ferretdb-${FERRETDB_VERSION}-fixes-6`),
      dataDir: join(data, 'ferretdb'),
      stateDir: join(data, 'ferretdb-state'),
      logFile: join(logs, 'ferretdb.log'),
      pidFile: join(run, 'ferretdb.pid'),
    },
    jaeger: {
      binary: join(cacheDir, 'bin', `jaeger-${JAEGER_VERSION}`),
      configFile: join(run, 'jaeger.yaml'),
      logFile: join(logs, 'jaeger.log'),
      pidFile: join(run, 'jaeger.pid'),
    },
  };
}
