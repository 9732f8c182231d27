// The hub's own certificate authority: it signs the hub's gRPC server certificate and every
// client certificate, and it is the only root the hub trusts when a system connects (R22).
// `initCertificateAuthority` creates it once; everything else loads it from the directory.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import {
  type Authority,
  certificatePem,
  type DistinguishedName,
  importPrivateKey,
  newKeyPair,
  privateKeyPem,
  signCertificate,
} from './certificate-signing.ts';
import { makePrivateDir, type PkiFiles, pkiFiles, readPkiFile, writePrivateKeyFile, writePublicFile } from './pki-files.ts';

export const CA_VALID_DAYS = 3_650;
/** The hub's server certificate is renewed by re-running init; two years keeps that rare but real. */
export const HUB_CERTIFICATE_VALID_DAYS = 730;
const CA_SUBJECT: DistinguishedName = { CN: 'dancu hub certificate authority', O: 'dancu' };
/** No OU: the hub's own certificate must never pass for a system's or an operator's. */
const HUB_SUBJECT: DistinguishedName = { CN: 'dancu-hub', O: 'dancu' };
/** What a client on the hub's own machine dials. */
const LOOPBACK_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] };

export interface InitOptions {
  /** Extra DNS names or IP addresses the hub is reached by, added to its certificate. */
  hosts?: string[];
  /** Replace an existing authority. Every certificate it issued stops being trusted. */
  force?: boolean;
}

const DNS_NAME = /^(?=.{1,253}$)(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Splits `--host` values into DNS names and IP addresses, refusing anything that is neither. */
export function hostNames(hosts: string[]): { dns: string[]; ip: string[] } {
  const dns = [...LOOPBACK_NAMES.dns];
  const ip = [...LOOPBACK_NAMES.ip];
  for (const host of hosts) {
    if (isIP(host) !== 0) {
      if (!ip.includes(host)) ip.push(host);
    } else if (DNS_NAME.test(host)) {
      if (!dns.includes(host.toLowerCase())) dns.push(host.toLowerCase());
    } else {
      throw new Error(`--host ${JSON.stringify(host)} is neither a DNS name nor an IP address`);
    }
  }
  return { dns, ip };
}

/**
 * Creates the CA, the hub's server certificate and the journal's Ed25519 signing key in `dir`.
 * Everything is generated before anything is written, so a failure leaves no half-made PKI.
 */
export async function initCertificateAuthority(dir: string, options: InitOptions = {}): Promise<PkiFiles> {
  const files = pkiFiles(dir);
  if (!options.force && (existsSync(files.caCertificate) || existsSync(files.caKey))) {
    throw new Error(
      `a certificate authority already exists in ${dir}; replacing it would make every certificate it issued ` +
        'useless, so pass --force if that is really what you want',
    );
  }
  const names = hostNames(options.hosts ?? []);

  const caKeys = newKeyPair();
  const caCertificate = await signCertificate(
    { subject: CA_SUBJECT, publicKey: caKeys.publicKey, validDays: CA_VALID_DAYS, usage: 'authority' },
    { selfSigned: caKeys.privateKey },
  );
  const hubKeys = newKeyPair();
  const hubCertificate = await signCertificate(
    { subject: HUB_SUBJECT, publicKey: hubKeys.publicKey, validDays: HUB_CERTIFICATE_VALID_DAYS, usage: 'server', names },
    { certificate: caCertificate, privateKey: caKeys.privateKey },
  );
  const signing = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  await makePrivateDir(dir);
  await writePrivateKeyFile(files.caKey, privateKeyPem(caKeys.privateKey));
  await writePublicFile(files.caCertificate, certificatePem(caCertificate));
  await writePrivateKeyFile(files.hubKey, privateKeyPem(hubKeys.privateKey));
  await writePublicFile(files.hubCertificate, certificatePem(hubCertificate));
  await writePrivateKeyFile(files.signingKey, signing.privateKey);
  await writePublicFile(files.signingPublicKey, signing.publicKey);
  return files;
}

/** The CA of `dir`, ready to sign. */
export function loadCertificateAuthority(dir: string): Authority {
  const files = pkiFiles(dir);
  const certificate = new X509Certificate(readPkiFile(files.caCertificate, dir));
  const privateKey = importPrivateKey(readPkiFile(files.caKey, dir));
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`${files.caKey} is not the key of ${files.caCertificate}: restore the pair from the same \`dancu pki init\``);
  }
  return { certificate, privateKey };
}
