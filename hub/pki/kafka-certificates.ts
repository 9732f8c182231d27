// The certificates of Kafka's TLS listener, from the hub's own CA: the broker's server certificate
// (what clients verify), and the hub's client certificate (principal `User:hub`). Sources get theirs
// with `dancu pki issue <source> --source`. Principals are read from the subject by the broker's
// `ssl.principal.mapping.rules` (deploy/local/kafka/server.properties, `kafka/access.ts`).

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostNames, initCertificateAuthority, loadCertificateAuthority } from './certificate-authority.ts';
import { certificatePem, type DistinguishedName, newKeyPair, privateKeyPem, signCertificate } from './certificate-signing.ts';
import { type PkiFiles, pkiFiles, writePrivateKeyFile, writePublicFile } from './pki-files.ts';

/** OU `hub`, which no `pki issue` kind can give: only this module signs the hub's Kafka identity. */
export const HUB_KAFKA_SUBJECT: DistinguishedName = { CN: 'dancu-hub', O: 'dancu', OU: 'hub' };
/** No OU: the broker's certificate identifies no client, to Kafka or to the hub. */
const BROKER_SUBJECT: DistinguishedName = { CN: 'dancu-kafka', O: 'dancu' };
const VALID_DAYS = 365;
/** Renewed on `stack up` once less than this is left, so a running stack never meets an expired listener. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * Makes sure the PKI in `dir` holds a current broker certificate (as Kafka's PEM keystore) and hub
 * Kafka certificate, creating the CA first when there is none (as `dancu start` does). Certificates
 * signed by another CA (after `pki init --force`) or close to expiry are replaced.
 */
export async function ensureKafkaCertificates(dir: string, log: (line: string) => void = () => {}): Promise<PkiFiles> {
  const files = pkiFiles(dir);
  if (!existsSync(files.caCertificate)) {
    await initCertificateAuthority(dir);
    log(`Created the hub's certificate authority in ${dir}.`);
  }
  const authority = loadCertificateAuthority(dir);
  if (!current(files.kafkaBrokerCertificate, authority.certificate)) {
    const keys = newKeyPair();
    const certificate = await signCertificate(
      { subject: BROKER_SUBJECT, publicKey: keys.publicKey, validDays: VALID_DAYS, usage: 'server', names: hostNames([]) },
      authority,
    );
    // Kafka's PEM keystore: the unencrypted PKCS#8 key and the certificate in one file (ssl.keystore.type=PEM).
    await writePrivateKeyFile(files.kafkaBrokerKeystore, privateKeyPem(keys.privateKey) + certificatePem(certificate));
    await writePublicFile(files.kafkaBrokerCertificate, certificatePem(certificate));
    log(`Issued the Kafka broker's TLS certificate (${files.kafkaBrokerCertificate}).`);
  }
  if (!current(files.hubKafkaCertificate, authority.certificate)) {
    const keys = newKeyPair();
    const certificate = await signCertificate(
      { subject: HUB_KAFKA_SUBJECT, publicKey: keys.publicKey, validDays: VALID_DAYS, usage: 'client' },
      authority,
    );
    await writePrivateKeyFile(files.hubKafkaKey, privateKeyPem(keys.privateKey));
    await writePublicFile(files.hubKafkaCertificate, certificatePem(certificate));
    log(`Issued the hub's Kafka client certificate (${files.hubKafkaCertificate}).`);
  }
  return files;
}

function current(path: string, ca: X509Certificate): boolean {
  if (!existsSync(path)) return false;
  const certificate = new X509Certificate(readFileSync(path));
  return certificate.verify(ca.publicKey) && new Date(certificate.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
}
