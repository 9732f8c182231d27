import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initCertificateAuthority } from './certificate-authority.ts';
import { issueCertificate, writeIssuedCertificate } from './client-certificate.ts';
import { peerIdentity } from './peer-identity.ts';
import { pkiFiles } from './pki-files.ts';

/** What Node's TLS hands a server for a peer: the parts peerIdentity reads. */
function asPeerCertificate(pem: string): PeerCertificate {
  const certificate = new X509Certificate(pem);
  const subject = Object.fromEntries(certificate.subject.split('\n').map((line) => line.split('=') as [string, string]));
  return {
    raw: certificate.raw,
    subject,
    fingerprint256: certificate.fingerprint256,
    valid_to: certificate.validTo,
  } as unknown as PeerCertificate;
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("the hub's certificate authority", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dancu-pki-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('R29: init writes the CA, the hub certificate and the Ed25519 signing key, private keys owner-only', async () => {
    const files = await initCertificateAuthority(dir, { hosts: ['hub.dancu.gov.vn', '10.1.2.3'] });
    for (const key of [files.caKey, files.hubKey, files.signingKey]) expect(await mode(key)).toBe(0o600);
    for (const pub of [files.caCertificate, files.hubCertificate, files.signingPublicKey]) expect(await mode(pub)).toBe(0o644);

    const ca = new X509Certificate(await readFile(files.caCertificate));
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);

    const hub = new X509Certificate(await readFile(files.hubCertificate));
    expect(hub.ca).toBe(false);
    expect(hub.checkIssued(ca)).toBe(true);
    expect(hub.verify(ca.publicKey)).toBe(true);
    expect(hub.checkHost('localhost')).toBe('localhost');
    expect(hub.checkHost('hub.dancu.gov.vn')).toBe('hub.dancu.gov.vn');
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3']) expect(hub.checkIP(ip)).toBe(ip);
    expect(hub.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

    // The signing pair is Ed25519 and the halves belong together.
    const signingKey = await readFile(files.signingKey, 'utf8');
    const publicKey = createPublicKey(await readFile(files.signingPublicKey, 'utf8'));
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    expect(signingKey).toContain('BEGIN PRIVATE KEY');
    const head = Buffer.from('journal chain head');
    expect(verify(null, head, publicKey, sign(null, head, signingKey))).toBe(true);
  });

  it('R29: a second init is refused without --force, and leaves the first authority in place', async () => {
    const files = await initCertificateAuthority(dir);
    const before = await readFile(files.caCertificate, 'utf8');
    await expect(initCertificateAuthority(dir)).rejects.toThrow(/already exists.*--force/);
    expect(await readFile(files.caCertificate, 'utf8')).toBe(before);
    await initCertificateAuthority(dir, { force: true });
    expect(await readFile(files.caCertificate, 'utf8')).not.toBe(before);
    expect(await mode(files.caKey)).toBe(0o600);
  });

  it('an IPv6 --host written with a dotted IPv4 tail is named exactly in the hub certificate', async () => {
    const files = await initCertificateAuthority(dir, { hosts: ['::ffff:10.1.2.3', 'fe80::1:2'] });
    const hub = new X509Certificate(await readFile(files.hubCertificate));
    expect(hub.subjectAltName).toContain('IP Address:0:0:0:0:0:FFFF:A01:203');
    expect(hub.subjectAltName).toContain('IP Address:FE80:0:0:0:0:0:1:2');
  });

  it('a --host that is neither a DNS name nor an IP address is refused', async () => {
    await expect(initCertificateAuthority(dir, { hosts: ['not a host'] })).rejects.toThrow(/neither a DNS name nor an IP address/);
  });

  it('R22: an issued certificate verifies against the CA and names the system, its organisation and kind', async () => {
    await initCertificateAuthority(dir);
    const issued = await issueCertificate(dir, { kind: 'system', id: 'bank-a.core', organisation: 'vietcombank', validDays: 30 });
    const ca = new X509Certificate(await readFile(pkiFiles(dir).caCertificate));
    const certificate = new X509Certificate(issued.certificatePem);
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(issued.privateKeyPem))).toBe(true);
    expect(certificate.subject.split('\n').sort()).toEqual(['CN=bank-a.core', 'O=vietcombank', 'OU=system']);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(certificate.fingerprint256).toBe(issued.fingerprint256);
    expect(certificate.serialNumber).toBe(issued.serialNumber);
    expect(issued.notAfter.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(issued.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);

    expect(peerIdentity(asPeerCertificate(issued.certificatePem))).toEqual({
      kind: 'system',
      id: 'bank-a.core',
      organisation: 'vietcombank',
      fingerprint256: issued.fingerprint256,
      notAfter: issued.notAfter,
    });
    const files = await writeIssuedCertificate(join(dir, 'out'), 'bank-a.core', issued);
    expect(await mode(files.privateKey)).toBe(0o600);
    expect(await readFile(files.certificate, 'utf8')).toBe(issued.certificatePem);
  });

  it('ids and organisations outside letters, digits, ".", "_" and "-" (1 to 64) are refused', async () => {
    await initCertificateAuthority(dir);
    const request = { kind: 'system' as const, id: 'bank-a', organisation: 'vcb', validDays: 30 };
    await expect(issueCertificate(dir, { ...request, id: 'bank a' })).rejects.toThrow(/the id "bank a" is not usable/);
    await expect(issueCertificate(dir, { ...request, id: 'x'.repeat(65) })).rejects.toThrow(/1 to 64/);
    await expect(issueCertificate(dir, { ...request, id: '..' })).rejects.toThrow(/not usable/);
    await expect(issueCertificate(dir, { ...request, organisation: 'O=evil,CN=x' })).rejects.toThrow(/the organisation .* is not usable/);
    await expect(issueCertificate(dir, { ...request, validDays: 20_000 })).rejects.toThrow(/outlive the certificate authority/);
  });

  it('issuing without a CA says to run pki init', async () => {
    await expect(issueCertificate(dir, { kind: 'operator', id: 'an', organisation: 'bca', validDays: 1 })).rejects.toThrow(
      /run `dancu pki init/,
    );
  });

  it("R22: peerIdentity reads an operator, and identifies nobody from no certificate, the hub's own or an odd subject", async () => {
    const files = await initCertificateAuthority(dir);
    const operator = await issueCertificate(dir, { kind: 'operator', id: 'nguyen.van.an', organisation: 'bca', validDays: 1 });
    expect(peerIdentity(asPeerCertificate(operator.certificatePem))).toMatchObject({
      kind: 'operator',
      id: 'nguyen.van.an',
      organisation: 'bca',
    });

    expect(peerIdentity(undefined)).toBeNull();
    expect(peerIdentity({} as PeerCertificate)).toBeNull(); // what TLS gives when the client sent none
    expect(peerIdentity(asPeerCertificate(await readFile(files.hubCertificate, 'utf8')))).toBeNull();
    const base = asPeerCertificate(operator.certificatePem);
    const withSubject = (subject: Record<string, unknown>) => ({ ...base, subject }) as unknown as PeerCertificate;
    expect(peerIdentity(withSubject({ CN: 'a', O: 'b', OU: 'admin' }))).toBeNull();
    expect(peerIdentity(withSubject({ CN: ['a', 'b'], O: 'b', OU: 'system' }))).toBeNull();
    expect(peerIdentity(withSubject({ CN: 'a', OU: 'system' }))).toBeNull();
  });
});
