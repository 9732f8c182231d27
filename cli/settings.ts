// Settings every command shares, read from the environment once and checked at start-up.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { localEidFiles } from '../deploy/local/eid-issuer.ts';
import { stackLocations } from '../deploy/local/locations.ts';
import { type EidSettings, eidSettingsFromEnv } from '../hub/eid/eid-assertion.ts';
import { chainNameProblem } from '../hub/journal/journal-chain.ts';
import { DEFAULT_DATABASE } from '../hub/store/population-store.ts';
import { DEFAULT_PLAUSIBILITY, type PlausibilityRules } from '../schemas/plausibility.ts';

/** Where local state lives (DANCU_HOME): checkpoints, rejected records, the local stack's data and logs. */
export function dancuHome(env: NodeJS.ProcessEnv = process.env): string {
  return stackLocations(env).homeDir;
}

/** Where the hub's CA, server certificate and signing key live: DANCU_PKI_DIR, else `<DANCU_HOME>/pki`. */
export function pkiDir(env: NodeJS.ProcessEnv = process.env): string {
  return stackLocations(env).pkiDir;
}

/** The e-identification platform (DANCU_EID_JWKS, _ISSUER, _AUDIENCE); by default the local test issuer's keys in <DANCU_HOME>/eid. */
export function eidSettings(env: NodeJS.ProcessEnv = process.env): EidSettings {
  return eidSettingsFromEnv(localEidFiles(join(dancuHome(env), 'eid')).jwks, env);
}

/**
 * This hub instance's id (DANCU_INSTANCE_ID), which names its journal chain: in Kubernetes the
 * pod's name; by default `<host>-<pid>`, so every process starts a chain of its own.
 */
export function hubInstanceId(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.DANCU_INSTANCE_ID;
  if (given === undefined || given === '')
    return `${hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 50)}-${process.pid}`;
  const problem = chainNameProblem(given);
  if (problem) throw new Error(`DANCU_INSTANCE_ID: ${problem}`);
  return given;
}

/** The population store's database name (`DANCU_DB`). */
export function databaseName(): string {
  const name = process.env.DANCU_DB ?? DEFAULT_DATABASE;
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(name)) {
    throw new Error(`DANCU_DB=${JSON.stringify(name)} is not a usable database name: use letters, digits, _ or -, at most 60`);
  }
  return name;
}

export function parsePositiveInt(value: string, what: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${what} must be a positive whole number, not ${JSON.stringify(value)}`);
  return parsed;
}

export function parseShare(value: string, what: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new Error(`${what} must be a share between 0 and 1, not ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * Where the admin port listens (DANCU_ADMIN_HOST): loopback unless the deployment opens it, e.g.
 * `0.0.0.0` in Kubernetes, where the kubelet probes /readyz and /healthz on the pod's address.
 */
export function adminHost(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.DANCU_ADMIN_HOST;
  if (value === undefined || value === '') return '127.0.0.1';
  if (isIP(value) === 0)
    throw new Error(`DANCU_ADMIN_HOST must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::), not ${JSON.stringify(value)}`);
  return value;
}

/** The hub's HTTP admin port (metrics, health): DANCU_ADMIN_PORT, else 9464. */
export const DEFAULT_ADMIN_PORT = '9464';

export function parsePort(value: string, what: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new Error(`${what} must be a TCP port (0 for any free one), not ${JSON.stringify(value)}`);
  return parsed;
}

/** How often connectors beat on dancu.heartbeats.v1 (DANCU_HEARTBEAT_INTERVAL_MS); undefined: the SDK's 5 s. */
export function heartbeatIntervalMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.DANCU_HEARTBEAT_INTERVAL_MS;
  return value === undefined || value === '' ? undefined : parsePositiveInt(value, 'DANCU_HEARTBEAT_INTERVAL_MS');
}

/** Jaeger's query address, where the dashboard reads traces (DANCU_JAEGER_URL): the local stack's Jaeger. */
export const DEFAULT_JAEGER_URL = 'http://127.0.0.1:16686';

/** DANCU_JAEGER_URL, else the local Jaeger; `off` (or empty): the dashboard shows no traces and says so. */
export function jaegerUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DANCU_JAEGER_UI !== undefined && env.DANCU_JAEGER_URL === undefined) {
    throw new Error(
      "DANCU_JAEGER_UI is no longer read: the dashboard now reads traces itself; set DANCU_JAEGER_URL to Jaeger's query address (or off) instead",
    );
  }
  const value = env.DANCU_JAEGER_URL ?? DEFAULT_JAEGER_URL;
  if (value.trim() === '' || value.trim().toLowerCase() === 'off') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `DANCU_JAEGER_URL=${JSON.stringify(value)} is not a URL: give Jaeger's query address, e.g. ${DEFAULT_JAEGER_URL}, or off`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`DANCU_JAEGER_URL must be an http or https URL (or off), not ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/**
 * The plausibility rules of ingest: DANCU_FUTURE_TOLERANCE_SECONDS (how far past the hub's clock a
 * date may be, default 300) and DANCU_EVENT_FLOOR (the earliest date any event may carry, default
 * 1900-01-01, Vietnam time).
 */
export function plausibilityFromEnv(env: NodeJS.ProcessEnv = process.env): PlausibilityRules {
  const tolerance = env.DANCU_FUTURE_TOLERANCE_SECONDS;
  const floor = env.DANCU_EVENT_FLOOR;
  let floorDate = DEFAULT_PLAUSIBILITY.floor;
  if (floor !== undefined && floor !== '') {
    floorDate = new Date(/^\d{4}-\d{2}-\d{2}$/.test(floor) ? `${floor}T00:00:00+07:00` : floor);
    if (Number.isNaN(floorDate.getTime()))
      throw new Error(`DANCU_EVENT_FLOOR=${JSON.stringify(floor)} is not a date: write it as YYYY-MM-DD`);
  }
  let futureToleranceMs = DEFAULT_PLAUSIBILITY.futureToleranceMs;
  if (tolerance !== undefined && tolerance !== '') {
    const seconds = Number(tolerance);
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new Error(`DANCU_FUTURE_TOLERANCE_SECONDS must be a whole number of seconds (0 or more), not ${JSON.stringify(tolerance)}`);
    }
    futureToleranceMs = seconds * 1000;
  }
  return { futureToleranceMs, floor: floorDate };
}

/** How long a long-running command may take to stop after SIGTERM / Ctrl-C before it exits regardless (DANCU_SHUTDOWN_SECONDS, default 20). */
export const DEFAULT_SHUTDOWN_SECONDS = 20;

export function shutdownSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.DANCU_SHUTDOWN_SECONDS;
  return value === undefined || value === '' ? DEFAULT_SHUTDOWN_SECONDS : parsePositiveInt(value, 'DANCU_SHUTDOWN_SECONDS');
}
