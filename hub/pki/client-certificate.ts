// Client certificates: how a connecting system (or an operator) proves who it is to the hub.
// The subject carries the identity the hub acts on — CN the system or operator id, O the
// organisation, OU the kind — so it is validated strictly here and read back in peer-identity.ts.
import { join } from 'node:path';
import { loadCertificateAuthority } from './certificate-authority.ts';
import { certificatePem, newKeyPair, privateKeyPem, signCertificate } from './certificate-signing.ts';
import { makePrivateDir, writePrivateKeyFile, writePublicFile } from './pki-files.ts';

/** Who may call the hub's gRPC API. */
export const CLIENT_KINDS = ['system', 'operator'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];
/**
 * What the CA issues: the gRPC kinds, and `source`, a sectoral system producing to Kafka's TLS
 * listener (CN = the source it feeds). A source certificate identifies nobody to the gRPC API.
 */
export const ISSUED_KINDS = [...CLIENT_KINDS, 'source'] as const;
export type IssuedKind = (typeof ISSUED_KINDS)[number];

export const DEFAULT_CLIENT_VALID_DAYS = 365;

/**
 * Ids and organisations are also file names and distinguished-name values, so they are kept to
 * characters that need no escaping in either.
 */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidName(value: string): boolean {
  return NAME.test(value) && value !== '.' && value !== '..';
}

export function checkName(value: string, what: string): string {
  if (!isValidName(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} is not usable: use 1 to 64 letters, digits, '.', '_' or '-'`);
  }
  return value;
}

export interface CertificateRequest {
  kind: IssuedKind;
  /** The system's or operator's id, as registered; for a source, the source's name. */
  id: string;
  /** The organisation it belongs to. */
  organisation: string;
  validDays: number;
}

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-256 of the DER certificate as `AB:CD:…`, the same form TLS shows the hub for a peer. */
  fingerprint256: string;
  /** Hexadecimal. */
  serialNumber: string;
  notAfter: Date;
}

/** Signs a client certificate with the CA in `dir`. Writes nothing: the caller decides where the key goes. */
export async function issueCertificate(dir: string, request: CertificateRequest): Promise<IssuedCertificate> {
  checkName(request.id, 'the id');
  checkName(request.organisation, 'the organisation');
  if (!ISSUED_KINDS.includes(request.kind))
    throw new Error(`the kind must be one of ${ISSUED_KINDS.join(', ')}, not ${JSON.stringify(request.kind)}`);
  if (!Number.isInteger(request.validDays) || request.validDays <= 0) {
    throw new Error(`the validity must be a positive whole number of days, not ${request.validDays}`);
  }
  const authority = loadCertificateAuthority(dir);
  const keys = newKeyPair();
  const certificate = await signCertificate(
    {
      subject: { CN: request.id, O: request.organisation, OU: request.kind },
      publicKey: keys.publicKey,
      validDays: request.validDays,
      usage: 'client',
    },
    authority,
  );
  return {
    certificatePem: certificatePem(certificate),
    privateKeyPem: privateKeyPem(keys.privateKey),
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
    notAfter: new Date(certificate.validTo),
  };
}

export interface IssuedFiles {
  certificate: string;
  privateKey: string;
}

/**
 * For Kafka's own clients (console tools, Java producers), which read a PEM keystore as one file:
 * `<id>.keystore.pem` (key and certificate, owner-only) and `<id>.client.properties` naming it and
 * the CA. Written beside the certificate by `dancu pki issue --source`.
 */
export async function writeKafkaClientFiles(
  outDir: string,
  id: string,
  issued: IssuedCertificate,
  caFile: string,
): Promise<{ keystore: string; properties: string }> {
  checkName(id, 'the id');
  const files = { keystore: join(outDir, `${id}.keystore.pem`), properties: join(outDir, `${id}.client.properties`) };
  await makePrivateDir(outDir);
  await writePrivateKeyFile(files.keystore, issued.privateKeyPem + issued.certificatePem);
  await writePublicFile(files.properties, kafkaClientProperties(caFile, files.keystore));
  return files;
}

/** The TLS settings a Kafka client needs for the hub's TLS listener (the key is unencrypted PKCS#8, so no password). */
export function kafkaClientProperties(caFile: string, keystoreFile: string): string {
  return [
    'security.protocol=SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${caFile}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${keystoreFile}`,
    '',
  ].join('\n');
}

/** Writes `<id>.crt.pem` and `<id>.key.pem` (owner-only) into `outDir`. */
export async function writeIssuedCertificate(outDir: string, id: string, issued: IssuedCertificate): Promise<IssuedFiles> {
  checkName(id, 'the id');
  const files = { certificate: join(outDir, `${id}.crt.pem`), privateKey: join(outDir, `${id}.key.pem`) };
  await makePrivateDir(outDir);
  await writePrivateKeyFile(files.privateKey, issued.privateKeyPem);
  await writePublicFile(files.certificate, issued.certificatePem);
  return files;
}
