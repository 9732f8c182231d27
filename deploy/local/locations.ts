// Where the local stack keeps things. Two roots, because they age differently:
// the cache (DANCU_CACHE) holds what can be downloaded or rebuilt and is shared by every checkout;
// the home (DANCU_HOME) holds this checkout's data, logs and pid files.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: deploy/local/ is two levels below it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the checked-in configuration of the local Kafka lives (pom, properties, log4j2). */
export const KAFKA_DEPLOY_DIR = join(REPO_ROOT, 'deploy', 'local', 'kafka');

export const KAFKA_VERSION = '4.1.1';
export const FERRETDB_VERSION = 'v1.24.2';
export const JAEGER_VERSION = 'v1.76.0';

/** Loopback only: the local stack is for development and tests, never reachable from outside. */
export const ADDRESSES = {
  kafkaBroker: '127.0.0.1:9092',
  kafkaController: '127.0.0.1:9093',
  ferretdb: '127.0.0.1:27017',
  jaegerOtlpGrpc: '127.0.0.1:4317',
  jaegerOtlpHttp: '127.0.0.1:4318',
  /** Jaeger's UI and HTTP query API. */
  jaegerQuery: '127.0.0.1:16686',
  jaegerQueryGrpc: '127.0.0.1:16685',
  jaegerHealth: '127.0.0.1:13133',
} as const;

export interface StackLocations {
  cacheDir: string;
  homeDir: string;
  /** Held while `up` or `down` runs, so two of them never race on the same processes. */
  lockFile: string;
  kafka: {
    libsDir: string;
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
    lockFile: join(run, 'stack.lock'),
    kafka: {
      libsDir: join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs'),
      dataDir: join(data, 'kafka'),
      configFile: join(run, 'kafka-server.properties'),
      logFile: join(logs, 'kafka.log'),
      pidFile: join(run, 'kafka.pid'),
    },
    ferretdb: {
      // Named for the fix built into it (see ferretdb-build.ts), so an unfixed build is never reused.
      binary: join(cacheDir, 'bin', `ferretdb-${FERRETDB_VERSION}-id-fixes`),
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
