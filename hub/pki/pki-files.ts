// The layout of a PKI directory, in one place, so `pki init`, `pki issue` and the hub's gRPC
// server all read and write the same files.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PkiFiles {
  caCertificate: string;
  caKey: string;
  /** The hub's gRPC server certificate and key. */
  hubCertificate: string;
  hubKey: string;
  /** Ed25519 key pair the journal signs its chain head with. */
  signingKey: string;
  signingPublicKey: string;
  /** Where `pki issue` writes client certificates unless told otherwise. */
  issuedDir: string;
  /** The local Kafka's TLS listener: its server certificate, and key + certificate in one PEM (Kafka's keystore). */
  kafkaBrokerCertificate: string;
  kafkaBrokerKeystore: string;
  /** The hub's own client certificate towards Kafka's TLS listener (principal `User:hub`). */
  hubKafkaCertificate: string;
  hubKafkaKey: string;
}

export function pkiFiles(dir: string): PkiFiles {
  return {
    caCertificate: join(dir, 'ca.crt.pem'),
    caKey: join(dir, 'ca.key.pem'),
    hubCertificate: join(dir, 'hub.crt.pem'),
    hubKey: join(dir, 'hub.key.pem'),
    signingKey: join(dir, 'hub-signing.key.pem'),
    signingPublicKey: join(dir, 'hub-signing.pub.pem'),
    issuedDir: join(dir, 'issued'),
    kafkaBrokerCertificate: join(dir, 'kafka-broker.crt.pem'),
    kafkaBrokerKeystore: join(dir, 'kafka-broker.keystore.pem'),
    hubKafkaCertificate: join(dir, 'hub-kafka.crt.pem'),
    hubKafkaKey: join(dir, 'hub-kafka.key.pem'),
  };
}

/**
 * Writes a private key readable by its owner only. An existing file is removed first: writeFile
 * keeps an existing file's mode, so overwriting a 0644 file would leave the new key readable.
 */
export async function writePrivateKeyFile(path: string, pem: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  // The umask can only remove bits, but be explicit in case the file system ignored the mode.
  await chmod(path, 0o600);
}

export async function writePublicFile(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o644 });
}

/** Creates a directory that only its owner can list, for key material. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Reads one of the PKI's files, or says which command creates it. Synchronous: it runs at start-up. */
export function readPkiFile(path: string, dir: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist: there is no certificate authority in ${dir}; run \`dancu pki init --dir ${dir}\` first, or point DANCU_PKI_DIR at the directory that holds it`,
    );
  }
  return readFileSync(path, 'utf8');
}
