// The gRPC API options `dancu hub` and `dancu start` share, and starting the API from them.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Registry as MetricsRegistry } from 'prom-client';
import { HubApi } from '../hub/api/hub-api.ts';
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

export interface StartApiOptions {
  kafkaBrokers: string[];
  mongodbUri: string;
  database: string;
  metrics: MetricsRegistry;
  /** `dancu start` (a local demo) creates a PKI when there is none; `dancu hub` insists on one. */
  createPkiIfMissing: boolean;
}

export async function startApi(flags: ApiFlags, options: StartApiOptions): Promise<HubApi> {
  const dir = flags.pkiDir ?? pkiDir();
  if (!flags.insecurePlaintext && !existsSync(pkiFiles(dir).hubCertificate)) {
    if (!options.createPkiIfMissing) {
      throw new Error(`no hub certificate in ${dir}: run \`dancu pki init\` (or pass --pki-dir), or --insecure-plaintext for development`);
    }
    await initCertificateAuthority(dir, { hosts: [], force: false });
    console.error(`created the hub's certificate authority in ${dir} (first start); issue client certificates with \`dancu pki issue\``);
  }
  return HubApi.start({
    kafkaBrokers: options.kafkaBrokers,
    mongodbUri: options.mongodbUri,
    database: options.database,
    address: flags.grpcAddress,
    ...(flags.insecurePlaintext ? { insecurePlaintext: true } : { pkiDir: dir }),
    metrics: options.metrics,
  });
}
