// Revoked client certificates. The list in the store (`revoked_certificates`, `_id` = the SHA-256
// fingerprint) is the truth every hub instance checks; the invalidation topic only makes a
// revocation take effect at once instead of when an instance's short cache expires.
//
// A certificate is revoked by `dancu pki revoke`, by issuing its holder a new one (unless told to
// keep the old), and, for a system, by revoking an agreement of that system: a new agreement then
// needs a new certificate, never the one the revoked agreement was used with.

/** SHA-256 of the DER certificate as `AB:CD:…`, the form TLS and `dancu pki issue` show. */
export const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

export type CertificateHolder = 'system' | 'operator';

export interface RevokedCertificate {
  /** The fingerprint. */
  _id: string;
  holder: CertificateHolder;
  /** The system's or officer's id. */
  holderId: string;
  revokedAt: Date;
  /** Who revoked it: an officer id, or the OS user for the CLI. */
  by: string;
  reason: string;
}

/** What to revoke: one certificate, or every certificate recorded for a system or an officer. */
export type RevocationTarget = { fingerprint: string } | { system: string } | { operator: string };

/** What the call pipelines need: whether a certificate that TLS accepted has been revoked since. */
export interface CertificateRevocations {
  isCertificateRevoked(fingerprint256: string): Promise<boolean>;
}

/** `AB:CD:…` in upper case, or null when it is not a SHA-256 fingerprint (colons optional). */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.trim().toUpperCase().replaceAll(':', '');
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** `pki revoke <fingerprint|system|operator>`: a fingerprint names one certificate, else the id names its holder. */
export function revocationTarget(value: string, kind: CertificateHolder): RevocationTarget {
  const fingerprint = normaliseFingerprint(value);
  if (fingerprint !== null) return { fingerprint };
  return kind === 'operator' ? { operator: value } : { system: value };
}
