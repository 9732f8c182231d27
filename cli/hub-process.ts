// What `dancu hub` and `dancu start` share: the hub process — ingest, the gRPC API and the admin
// port (metrics, health, dashboard) — its options, and starting and stopping it in order.

import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LocalEidIssuer } from '../deploy/local/eid-issuer.ts';
import { type EnsuredStack, ensureStack } from '../deploy/local/stack.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import { HubApi, readJournalSigningKey } from '../hub/api/hub-api.ts';
import { HUB_SERVICE, IngestService } from '../hub/ingest/ingest-service.ts';
import { watchConnectors } from '../hub/operations/connector-watch.ts';
import { healthThresholdsFromEnv } from '../hub/operations/health-thresholds.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { registerCertificateExpiryMetrics } from '../hub/pki/certificate-expiry-metrics.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { stopStep } from '../telemetry/stop-steps.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { adminHost, dancuHome, databaseName, eidSettings, hubInstanceId, jaegerUrl, pkiDir, plausibilityFromEnv } from './settings.ts';

/** gRPC on loopback by default: exposing it is a deliberate act (`--grpc-address 0.0.0.0:50051`). */
export const DEFAULT_GRPC_ADDRESS = '127.0.0.1:50051';

export interface ApiFlags {
  grpcAddress: string;
  pkiDir?: string;
  insecurePlaintext?: boolean;
}

export function addApiOptions(command: Command): Command {
  return command
    .option(
      '--grpc-address <host:port>',
      'where the gRPC API (Exchange, SelfService, Registry, health, reflection) listens',
      process.env.DANCU_GRPC_ADDRESS ?? DEFAULT_GRPC_ADDRESS,
    )
    .option('--pki-dir <dir>', "the hub's PKI from `dancu pki init` (default: DANCU_PKI_DIR, else <DANCU_HOME>/pki)")
    .option('--insecure-plaintext', 'DEVELOPMENT ONLY: serve gRPC without TLS; nobody can be authenticated, so every exchange is refused');
}

/** The hub's PKI as the process uses it: where it is, and the journal's signing key. */
export interface HubPki {
  dir: string;
  journalSigningKey?: KeyObject;
}

/**
 * Finds the PKI before anything starts. `dancu start` (a local demo) creates one when there is
 * none; `dancu hub` insists on one unless --insecure-plaintext.
 */
export async function preparePki(flags: ApiFlags, createIfMissing: boolean): Promise<HubPki> {
  const dir = flags.pkiDir ?? pkiDir();
  if (!existsSync(pkiFiles(dir).hubCertificate)) {
    if (flags.insecurePlaintext) return { dir };
    if (!createIfMissing)
      throw new Error(`no hub certificate in ${dir}: run \`dancu pki init\` (or pass --pki-dir), or --insecure-plaintext for development`);
    await initCertificateAuthority(dir, { hosts: [], force: false });
    console.error(`created the hub's certificate authority in ${dir} (first start); issue client certificates with \`dancu pki issue\``);
  }
  const journalSigningKey = readJournalSigningKey(dir);
  return { dir, ...(journalSigningKey ? { journalSigningKey } : {}) };
}

export interface HubProcessOptions {
  /** `dancu start` (a local demo) creates the PKI on first start; `dancu hub` insists on one. */
  createPkiIfMissing: boolean;
  adminPort: number;
  tracing: Tracing;
  groupId?: string;
  sessionTimeoutMs?: number;
  /** Where the admin port listens instead of DANCU_ADMIN_HOST: a hub worker's is private to its primary. */
  adminHost?: string;
  /** A worker's own admin port, not shared through the cluster primary (hub-workers.ts). */
  adminExclusive?: boolean;
}

export interface HubProcess {
  stack: EnsuredStack;
  /** This instance's id, which names its journal chain. */
  instance: string;
  hub: IngestService;
  api: HubApi;
  admin: AdminServer;
  /** Admin port first (no new scrapes), then the API (no new calls), then ingest. */
  stop(): Promise<void>;
}

export async function startHubProcess(flags: ApiFlags, options: HubProcessOptions): Promise<HubProcess> {
  // Mistakes in settings stop the start here, before anything runs.
  const connectorHealth = healthThresholdsFromEnv();
  const plausibility = plausibilityFromEnv();
  const jaeger = jaegerUrl();
  const instance = hubInstanceId();
  const host = options.adminHost ?? adminHost();
  const stack = await ensureStack({ log: (line) => console.error(line) });
  const pki = await preparePki(flags, options.createPkiIfMissing);
  const eid = eidSettings();
  // The local demo's e-identification platform, as the PKI is made on first start; a real one is named by DANCU_EID_JWKS.
  if (options.createPkiIfMissing && !process.env.DANCU_EID_JWKS) await LocalEidIssuer.open(join(dancuHome(), 'eid'));
  const tracer = options.tracing.tracer(HUB_SERVICE);
  const database = databaseName();
  const hub = await IngestService.start({
    kafkaBrokers: stack.kafkaBrokers,
    mongodbUri: stack.mongodbUri,
    database,
    instance,
    ...(options.groupId ? { groupId: options.groupId } : {}),
    ...(options.sessionTimeoutMs ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
    tracer,
    plausibility,
    ...(pki.journalSigningKey ? { journalSigningKey: pki.journalSigningKey } : {}),
  });
  const monitor = await watchConnectors(hub, connectorHealth);
  const connectors = () => monitor.connectors();
  const retiredConnectors = () => monitor.retired();
  const api = await HubApi.start({
    kafkaBrokers: stack.kafkaBrokers,
    mongodbUri: stack.mongodbUri,
    database,
    address: flags.grpcAddress,
    ...(flags.insecurePlaintext ? { insecurePlaintext: true } : { pkiDir: pki.dir }),
    metrics: hub.metrics.registry,
    journal: hub.journal,
    tracer,
    connectors,
    eid,
  });
  if (!flags.insecurePlaintext) registerCertificateExpiryMetrics(hub.metrics.registry, pki.dir);
  const admin = await AdminServer.start({
    registry: hub.metrics.registry,
    readiness: () => hub.readiness(),
    connectors,
    retiredConnectors,
    dashboard: {
      ingest: hub,
      connectors,
      retiredConnectors,
      traces: { jaegerUrl: jaeger, hubExports: options.tracing.mode === 'exporting' },
    },
    port: options.adminPort,
    host,
    ...(options.adminExclusive ? { exclusive: true } : {}),
  });
  return {
    stack,
    instance,
    hub,
    api,
    admin,
    async stop() {
      await stopStep('admin port', () => admin.close());
      await stopStep('API', () => api.stop());
      await stopStep('connector watch', () => monitor.stop());
      await stopStep('ingest', () => hub.stop());
    },
  };
}
