// The gRPC API options `dancu hub` and `dancu start` share, and starting the API from them.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { KeyObject } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import { HubApi, readJournalSigningKey } from '../hub/api/hub-api.ts';
import type { Journal } from '../hub/journal/journal.ts';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { pkiDir } from './settings.ts';

/** gRPC on loopback by default: exposing it is a deliberate act (`--grpc-address 0.0.0.0:50051`). */
export const DEFAULT_GRPC_ADDRESS = '127.0.0.1:50051';

export interface ApiFlags {
  grpcAddress: string;
  pkiDir?: string;
  insecurePlaintext?: boolean;
}

export function addApiOptions(command: Command): Command {
  return command
    .option('--grpc-address <host:port>', 'where the gRPC API (Exchange, SelfService, Registry, health, reflection) listens', process.env.DANCU_GRPC_ADDRESS ?? DEFAULT_GRPC_ADDRESS)
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
    if (!createIfMissing) throw new Error(`no hub certificate in ${dir}: run \`dancu pki init\` (or pass --pki-dir), or --insecure-plaintext for development`);
    await initCertificateAuthority(dir, { hosts: [], force: false });
    console.error(`created the hub's certificate authority in ${dir} (first start); issue client certificates with \`dancu pki issue\``);
  }
  const journalSigningKey = readJournalSigningKey(dir);
  return { dir, ...(journalSigningKey ? { journalSigningKey } : {}) };
}

export interface StartApiOptions {
  kafkaBrokers: string[];
  mongodbUri: string;
  database: string;
  metrics: MetricsRegistry;
  pki: HubPki;
  /** The process's journal (the ingest service's), shared so one writer keeps the chain. */
  journal: Journal;
  tracer: Tracer;
  connectors: () => ConnectorHealth[];
}

export async function startApi(flags: ApiFlags, options: StartApiOptions): Promise<HubApi> {
  return HubApi.start({
    kafkaBrokers: options.kafkaBrokers,
    mongodbUri: options.mongodbUri,
    database: options.database,
    address: flags.grpcAddress,
    ...(flags.insecurePlaintext ? { insecurePlaintext: true } : { pkiDir: options.pki.dir }),
    metrics: options.metrics,
    journal: options.journal,
    tracer: options.tracer,
    connectors: options.connectors,
  });
}
