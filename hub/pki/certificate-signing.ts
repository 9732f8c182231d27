// Key pairs and X.509 certificates. Certificates are encoded by @peculiar/x509 (on Node's WebCrypto),
// not by hand. Keys are ECDSA P-256, which every TLS stack and grpcurl accept; certificates are
// signed with ECDSA over SHA-256. Whatever this module writes, OpenSSL parses and verifies through
// node:crypto before it is returned.
// @peculiar/x509 finds its algorithms through tsyringe, which needs the Reflect metadata API
// installed before the library loads: keep this import first, and this the only module importing the library.
import 'reflect-metadata';
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

const DAY_MS = 86_400_000;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function newKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** PKCS#8 PEM, the form Node's TLS, grpc-js and grpcurl all read. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function importPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec')
    throw new Error(`the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not the ECDSA key this CA signs with`);
  return key;
}

export function daysFrom(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}

/** Attributes of a distinguished name, written O, OU, CN (most general first). */
export interface DistinguishedName {
  CN: string;
  O: string;
  OU?: string;
}

/** UTF8String values, as RFC 5280 §4.1.2.4 asks of new certificates. */
function nameOf(name: DistinguishedName): x509.Name {
  const attributes: [string, string | undefined][] = [
    ['O', name.O],
    ['OU', name.OU],
    ['CN', name.CN],
  ];
  return new x509.Name(
    attributes
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([type, value]) => ({ [type]: [{ utf8String: value }] })),
  );
}

/**
 * The WHATWG URL parser writes an IPv6 address in its canonical hex form, so a trailing dotted
 * IPv4 part (`::ffff:10.1.2.3`), which @peculiar/x509 2.2 silently encodes wrong, arrives as two
 * hex groups it reads correctly.
 */
function canonicalIp(address: string): string {
  return address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

export interface CertificateRequest {
  subject: DistinguishedName;
  publicKey: KeyObject;
  validDays: number;
  /** `authority` for the CA itself, else which side of TLS the certificate is for. */
  usage: 'authority' | 'server' | 'client';
  /** For a server: the DNS names and IP addresses clients may dial it by. */
  names?: { dns: string[]; ip: string[] };
}

export interface Authority {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

/** A copy, since the library's types refuse a Buffer that might sit on a SharedArrayBuffer. */
function spki(key: KeyObject): Uint8Array<ArrayBuffer> {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/** Key identifiers are SHA-1 of the public key's bits (RFC 5280 §4.2.1.2 method 1), the library's way. */
async function extensionsFor(request: CertificateRequest, issuerKey: KeyObject): Promise<x509.Extension[]> {
  const critical = true;
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(spki(request.publicKey));
  if (request.usage === 'authority') {
    return [
      // pathLen 0: this CA signs end-entity certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, critical),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, critical),
      subjectKeyId,
    ];
  }
  const purpose = request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, critical),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, critical),
    new x509.ExtendedKeyUsageExtension([purpose]),
    subjectKeyId,
    await x509.AuthorityKeyIdentifierExtension.create(spki(issuerKey)),
  ];
  if (request.names) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...request.names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...request.names.ip.map((value) => ({ type: 'ip' as const, value: canonicalIp(value) })),
      ]),
    );
  }
  return extensions;
}

/** Signs a certificate: an end-entity one with the CA, or the CA's own with its `selfSigned` key. */
export async function signCertificate(
  request: CertificateRequest,
  signer: Authority | { selfSigned: KeyObject },
): Promise<X509Certificate> {
  const notBefore = new Date();
  const notAfter = daysFrom(notBefore, request.validDays);
  const authority = 'selfSigned' in signer ? undefined : signer;
  if (authority && notAfter > new Date(authority.certificate.validTo)) {
    throw new Error(
      `a certificate valid for ${request.validDays} days would outlive the certificate authority, which expires ` +
        `${authority.certificate.validTo}: ask for fewer days, or renew the authority first`,
    );
  }
  const issuer = authority ? new x509.X509Certificate(authority.certificate.raw) : undefined;
  const signingKey = authority ? authority.privateKey : (signer as { selfSigned: KeyObject }).selfSigned;
  const issuerKey = authority ? authority.certificate.publicKey : request.publicKey;
  const generated = await x509.X509CertificateGenerator.create({
    // 16 random bytes: RFC 5280 wants serials unique per CA, and random ones need no counter on disk.
    serialNumber: randomBytes(16).toString('hex'),
    // The issuer's subject exactly as its certificate encodes it, so chain building matches byte for byte.
    issuer: issuer ? issuer.subjectName : nameOf(request.subject),
    subject: nameOf(request.subject),
    notBefore,
    notAfter,
    publicKey: spki(request.publicKey),
    signingKey: await webcrypto.subtle.importKey('pkcs8', signingKey.export({ type: 'pkcs8', format: 'der' }), ECDSA_P256, false, ['sign']),
    signingAlgorithm: ECDSA_SHA256,
    extensions: await extensionsFor(request, issuerKey),
  });
  const certificate = new X509Certificate(Buffer.from(generated.rawData));
  if (!certificate.verify(issuerKey))
    throw new Error('the certificate just signed does not verify: the CA key does not match its certificate');
  return certificate;
}

export function certificatePem(certificate: X509Certificate): string {
  return certificate.toString();
}
