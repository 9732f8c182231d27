// Key pairs and X.509 certificates, with node:crypto only (see der.ts for why not @peculiar/x509).
// Keys are ECDSA P-256, which every TLS stack and grpcurl accept; certificates are signed with
// ECDSA over SHA-256. Whatever this module writes, OpenSSL parses and verifies before it is returned.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from './der.ts';

const DAY_MS = 86_400_000;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organisation: '2.5.4.10',
  organisationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** RFC 5280 KeyUsage bit numbers. */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

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
  if (key.asymmetricKeyType !== 'ec') throw new Error(`the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not the ECDSA key this CA signs with`);
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

function encodeName(name: DistinguishedName): Buffer {
  const attributes: [string, string | undefined][] = [
    [OID.organisation, name.O],
    [OID.organisationalUnit, name.OU],
    [OID.commonName, name.CN],
  ];
  return der.sequence(
    ...attributes
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([type, value]) => der.set(der.sequence(der.oid(type), der.utf8String(value)))),
  );
}

function extension(type: string, critical: boolean, value: Buffer): Buffer {
  // DER omits a BOOLEAN that equals its DEFAULT (critical defaults to FALSE).
  return der.sequence(der.oid(type), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key's bits (the uncompressed EC point). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) throw new Error('the public key is not an EC key');
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

/** 16 random bytes: RFC 5280 wants serials unique per CA, and random ones need no counter on disk. */
function randomSerial(): Buffer {
  return randomBytes(16);
}

function ipAddressBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand '::', and read a trailing dotted IPv4 part as two groups.
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
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

function extensionsFor(request: CertificateRequest, issuerKey: KeyObject): Buffer[] {
  const subjectKeyId = extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(request.publicKey)));
  if (request.usage === 'authority') {
    return [
      // pathLen 0: this CA signs end-entity certificates only, never another CA.
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.smallInteger(0))),
      extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      subjectKeyId,
    ];
  }
  const extensions = [
    extension(OID.basicConstraints, true, der.sequence()),
    extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, der.sequence(der.oid(request.usage === 'server' ? OID.serverAuth : OID.clientAuth))),
    subjectKeyId,
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, keyIdentifier(issuerKey)))),
  ];
  if (request.names) {
    const names = [
      ...request.names.dns.map((name) => der.implicitPrimitive(2, Buffer.from(name, 'ascii'))),
      ...request.names.ip.map((address) => der.implicitPrimitive(7, ipAddressBytes(address))),
    ];
    extensions.push(extension(OID.subjectAltName, false, der.sequence(...names)));
  }
  return extensions;
}

/** The issuer's subject exactly as its certificate encodes it, so chain building matches byte for byte. */
function subjectOf(certificate: X509Certificate): Buffer {
  const [outer] = der.children(certificate.raw);
  if (!outer) throw new Error('the CA certificate is empty');
  const [tbs] = der.children(outer.content);
  // TBSCertificate: [0] version, serial, signature algorithm, issuer, validity, subject, …
  const subject = tbs ? der.children(tbs.content)[5] : undefined;
  if (!subject) throw new Error('the CA certificate has no subject');
  return subject.element;
}

/** Signs a certificate: an end-entity one with the CA, or the CA's own with its `selfSigned` key. */
export function signCertificate(request: CertificateRequest, signer: Authority | { selfSigned: KeyObject }): X509Certificate {
  const notBefore = new Date();
  const notAfter = daysFrom(notBefore, request.validDays);
  const issuer = 'selfSigned' in signer ? undefined : signer;
  if (issuer && notAfter > new Date(issuer.certificate.validTo)) {
    throw new Error(
      `a certificate valid for ${request.validDays} days would outlive the certificate authority, which expires ` +
        `${issuer.certificate.validTo}: ask for fewer days, or renew the authority first`,
    );
  }
  const signingKey = issuer ? issuer.privateKey : (signer as { selfSigned: KeyObject }).selfSigned;
  const issuerKey = issuer ? issuer.certificate.publicKey : request.publicKey;
  const algorithm = der.sequence(der.oid(OID.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(randomSerial()),
    algorithm,
    issuer ? subjectOf(issuer.certificate) : encodeName(request.subject),
    der.sequence(der.time(notBefore), der.time(notAfter)),
    encodeName(request.subject),
    request.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...extensionsFor(request, issuerKey))),
  );
  const signature = sign('sha256', tbs, signingKey);
  const certificate = new X509Certificate(der.sequence(tbs, algorithm, der.bitString(signature)));
  if (!certificate.verify(issuerKey)) throw new Error('the certificate just signed does not verify: the CA key does not match its certificate');
  return certificate;
}

export function certificatePem(certificate: X509Certificate): string {
  return certificate.toString();
}
