import { describe, expect, it } from 'vitest';
import type { PeerIdentity } from '../pki/peer-identity.ts';
import type { Agreement } from '../registry/agreement.ts';
import { Enforcement, type EnforcementRegistry } from './enforcement.ts';
import { Refusal } from './refusal.ts';

const NOW = new Date('2026-11-30T00:00:00Z');
const FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':');
const identity: PeerIdentity = { kind: 'system', id: 'vss-insurance', organisation: 'vss', fingerprint256: FINGERPRINT, notAfter: new Date('2026-12-30T00:00:00Z') };
const agreement = {
  id: 'agr-1',
  status: 'approved',
  organisation: { id: 'vss' },
  system: { id: 'vss-insurance', version: '1.0.0' },
  validity: { from: new Date('2026-01-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') },
} as unknown as Agreement;

/** A registry whose revocation list the test edits; it caches nothing itself. */
function registry(revoked: Set<string>): EnforcementRegistry {
  return {
    findSystem: async () => ({ _id: 'vss-insurance', organisationId: 'vss', agreementIds: ['agr-1'], certificateFingerprints: [FINGERPRINT] }),
    getAgreement: async () => agreement,
    assessmentStatus: async () => ({ ok: true }) as Awaited<ReturnType<EnforcementRegistry['assessmentStatus']>>,
    consentStatus: async () => ({ required: false, granted: true }) as Awaited<ReturnType<EnforcementRegistry['consentStatus']>>,
    takeDailyQuota: async () => ({ ok: true }) as Awaited<ReturnType<EnforcementRegistry['takeDailyQuota']>>,
    isCertificateRevoked: async (fingerprint) => revoked.has(fingerprint),
  };
}

async function reasonOf(admission: Promise<unknown>): Promise<string> {
  try {
    await admission;
    return 'admitted';
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
  }
}

describe('the enforcement pipeline: certificates', () => {
  it('R22: a certificate past its validity is refused as CERTIFICATE_EXPIRED, though TLS accepted it when the connection opened; before, it is admitted', async () => {
    let now = NOW;
    const enforcement = new Enforcement(registry(new Set()), { clock: () => now });
    expect(await reasonOf(enforcement.admitSystem(identity, 'agr-1'))).toBe('admitted');
    now = new Date('2026-12-30T00:00:00Z');
    expect(await reasonOf(enforcement.admitSystem(identity, 'agr-1'))).toBe('CERTIFICATE_EXPIRED');
  });

  it('R22: a revoked certificate is refused as CERTIFICATE_REVOKED as soon as the cache is invalidated, and open streams are told to re-check', async () => {
    const revoked = new Set<string>();
    const enforcement = new Enforcement(registry(revoked), { clock: () => NOW, cacheMs: 3_600_000 });
    const rechecks: string[] = [];
    const stop = enforcement.onInvalidate(() => rechecks.push('stream'));
    expect(await reasonOf(enforcement.admitSystem(identity, 'agr-1'))).toBe('admitted');
    revoked.add(FINGERPRINT);
    // Cached: the revocation is not seen until something invalidates (the topic, or this process's registry).
    expect(await reasonOf(enforcement.admitSystem(identity, 'agr-1'))).toBe('admitted');
    enforcement.invalidate();
    expect(rechecks).toEqual(['stream']);
    expect(await reasonOf(enforcement.admitSystem(identity, 'agr-1'))).toBe('CERTIFICATE_REVOKED');
    stop();
    enforcement.invalidate();
    expect(rechecks).toEqual(['stream']);
  });
});
