// The enforcement pipeline as a unit, against a fake registry: every refusal it can give, in the
// order it checks them, each beside the call it lets through. The integration tests
// (test/exchange.test.ts and others) show the same rules over gRPC on the real stack.
import { describe, expect, it } from 'vitest';
import type { RefusalReason } from '../../proto/reasons.ts';
import type { PeerIdentity } from '../pki/peer-identity.ts';
import type { Agreement } from '../registry/agreement.ts';
import type { ConsentStatus } from '../registry/consent.ts';
import type { QuotaOutcome } from '../registry/quota-lease.ts';
import { RegistryError } from '../registry/registry-error.ts';
import type { SystemRecord } from '../registry/registry-store.ts';
import type { AssessmentStatus } from '../registry/security-assessment.ts';
import { Enforcement, type EnforcementOptions, type EnforcementRegistry } from './enforcement.ts';
import type { ExchangeCall } from './exchange-call.ts';
import { Refusal } from './refusal.ts';

const NOW = new Date('2026-11-30T00:00:00Z');
const FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':');
const OTHER_FINGERPRINT = Array.from({ length: 32 }, () => 'CD').join(':');
const CITIZEN = '001090000001';
const DAY = '2026-11-30';

/** Everything the pipeline reads, valid throughout; each test breaks one thing. */
function world() {
  return {
    identity: {
      kind: 'system',
      id: 'vss-insurance',
      organisation: 'vss',
      fingerprint256: FINGERPRINT,
      notAfter: new Date('2026-12-30T00:00:00Z'),
    } as PeerIdentity | null,
    revoked: new Set<string>(),
    system: {
      _id: 'vss-insurance',
      organisationId: 'vss',
      agreementIds: ['agr-1'],
      certificateFingerprints: [FINGERPRINT],
    } as SystemRecord | null,
    agreement: {
      id: 'agr-1',
      status: 'approved',
      organisation: {
        id: 'vss',
        name: 'VSS',
        category: 'CENTRAL_STATE_BODY',
        locality: { level: 'central' },
        functionsAndTasks: 'social insurance',
      },
      system: { id: 'vss-insurance', name: 'VSS insurance', version: '1.0.0' },
      purposes: ['SOCIAL_INSURANCE'],
      services: ['Lookup', 'BatchLookup', 'WatchChanges', 'Verify'],
      grants: [
        { field: 'fullName', modes: ['disclose', 'match'] },
        { field: 'dateOfBirth', modes: ['match'] },
      ],
      quota: { ratePerSecond: 10, dailyLimit: 1_000 },
      validity: { from: new Date('2026-01-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') },
      consentRequired: false,
    } as unknown as Agreement,
    agreementFound: true,
    assessment: { ok: true } as AssessmentStatus,
    consent: new Map<string, ConsentStatus>(),
    quota: { ok: true, limit: 1_000, day: DAY } as QuotaOutcome,
    /** What the pipeline asked of the registry, in order. */
    reads: [] as string[],
    /** Units taken, per call. */
    units: [] as number[],
  };
}
type World = ReturnType<typeof world>;

function registryOf(w: World): EnforcementRegistry {
  return {
    isCertificateRevoked: async (fingerprint) => {
      w.reads.push('revoked');
      return w.revoked.has(fingerprint);
    },
    findSystem: async () => {
      w.reads.push('system');
      return w.system;
    },
    getAgreement: async (id) => {
      w.reads.push('agreement');
      if (!w.agreementFound) throw new RegistryError('NOT_FOUND', `no agreement ${id}`);
      return w.agreement;
    },
    assessmentStatus: async () => {
      w.reads.push('assessment');
      return w.assessment;
    },
    consentStatus: async (_agreement, personalId) => {
      w.reads.push(`consent:${personalId}`);
      return w.consent.get(personalId) ?? { required: false };
    },
    takeDailyQuota: async (_agreement, _service, _at, units = 1) => {
      w.units.push(units);
      return w.quota;
    },
  };
}

function call(overrides: Partial<ExchangeCall> = {}): ExchangeCall {
  return {
    service: 'Lookup',
    context: { agreementId: 'agr-1', purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-2026-000123', officerId: 'officer-17' },
    personalIds: [CITIZEN],
    fields: ['fullName'],
    mode: 'disclose',
    ...overrides,
  };
}

/** An Enforcement over the world, caching nothing (so each change to the world is seen), on fixed clocks. */
function enforcementOf(w: World, options: EnforcementOptions = {}): { enforcement: Enforcement; advance: (ms: number) => void } {
  let now = NOW.getTime();
  let monotonic = 1_000_000; // lru-cache takes a start time of 0 for "no lifetime"
  const enforcement = new Enforcement(registryOf(w), {
    clock: () => new Date(now),
    monotonicClock: () => monotonic,
    cacheMs: 0,
    ...options,
  });
  return {
    enforcement,
    advance: (ms) => {
      now += ms;
      monotonic += ms;
    },
  };
}

async function reasonOf(decision: Promise<unknown>): Promise<RefusalReason | 'allowed'> {
  try {
    await decision;
    return 'allowed';
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
  }
}

describe('the enforcement pipeline: every refusal, in order', () => {
  it('R22, R29, R7, R37, R12, R23: a call wrong in every way is refused for the first failing step; righting one step at a time meets each later refusal in the documented order, then the call is allowed', async () => {
    const w = world();
    const { enforcement, advance } = enforcementOf(w);
    // One allowed call first spends the agreement's rate for this second (the rate fault below).
    w.agreement.quota.ratePerSecond = 1;
    expect(await reasonOf(enforcement.authorize(w.identity, call()))).toBe('allowed');

    const valid = world();
    let identity: PeerIdentity | null = null; // no certificate at all
    let request = call({
      service: 'ReportDataError',
      fields: ['fullName', 'bloodType'],
      context: { ...call().context, purpose: 'MARKETING' },
    });
    w.revoked.add(FINGERPRINT);
    w.system = { ...valid.system!, certificateFingerprints: [OTHER_FINGERPRINT] };
    w.agreementFound = false;
    w.agreement = {
      ...w.agreement,
      organisation: { ...w.agreement.organisation, id: 'someone-else' },
      status: 'revoked',
      consentRequired: true,
      purposes: ['HEALTH_INSURANCE'],
    } as Agreement;
    w.assessment = { ok: false, reason: 'ASSESSMENT_EXPIRED' };
    w.consent.set(CITIZEN, { required: true, granted: false, reason: 'CONSENT_MISSING' });
    w.quota = { ok: false, reason: 'QUOTA_EXCEEDED', limit: 1_000, day: DAY };

    const fixes: Array<[RefusalReason, () => void]> = [
      ['CERTIFICATE_MISSING', () => (identity = { ...valid.identity!, kind: 'operator', id: 'officer-1' } as PeerIdentity)],
      ['CERTIFICATE_NOT_REGISTERED', () => (identity = { ...valid.identity!, notAfter: new Date('2026-11-29T00:00:00Z') })],
      ['CERTIFICATE_EXPIRED', () => (identity = valid.identity)],
      ['CERTIFICATE_REVOKED', () => w.revoked.clear()],
      ['CERTIFICATE_NOT_REGISTERED', () => (w.system = valid.system)],
      ['AGREEMENT_UNKNOWN', () => (w.agreementFound = true)],
      ['AGREEMENT_NOT_YOURS', () => (w.agreement = { ...w.agreement, organisation: valid.agreement.organisation })],
      ['AGREEMENT_REVOKED', () => (w.agreement = { ...w.agreement, status: 'approved' })],
      ['ASSESSMENT_EXPIRED', () => (w.assessment = { ok: true })],
      ['SERVICE_NOT_GRANTED', () => (request = { ...request, service: 'Lookup', mode: 'disclose' })],
      ['PURPOSE_UNKNOWN', () => (request = { ...request, context: { ...request.context, purpose: 'SOCIAL_INSURANCE' } })],
      ['PURPOSE_NOT_GRANTED', () => (w.agreement = { ...w.agreement, purposes: ['SOCIAL_INSURANCE'] })],
      ['FIELD_NOT_GRANTED', () => (request = { ...request, fields: ['fullName'] })],
      ['CONSENT_MISSING', () => w.consent.set(CITIZEN, { required: true, granted: true, channel: 'VNeID', since: NOW })],
      ['RATE_LIMITED', () => advance(1_000)],
      [
        'QUOTA_EXCEEDED',
        () => {
          w.quota = valid.quota;
          advance(1_000); // the refused call took this second's rate too: it was made
        },
      ],
    ];
    const seen: Array<RefusalReason | 'allowed'> = [];
    for (const [, fix] of fixes) {
      seen.push(await reasonOf(enforcement.authorize(identity, request)));
      fix();
    }
    seen.push(await reasonOf(enforcement.authorize(identity, request)));
    expect(seen).toEqual([...fixes.map(([reason]) => reason), 'allowed']);
  });

  it('R22: the grant names the agreement, the system and exactly the fields asked', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    const grant = await enforcement.authorize(w.identity, call({ fields: ['fullName'] }));
    expect(grant).toMatchObject({ systemId: 'vss-insurance', organisationId: 'vss', fields: ['fullName'] });
    expect(grant.agreement.id).toBe('agr-1');
  });
});

describe('the enforcement pipeline: each step refused and allowed', () => {
  it('R22: a certificate of another organisation, or one not recorded for the system, is CERTIFICATE_NOT_REGISTERED; the recorded one is allowed', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    expect(await reasonOf(enforcement.admitSystem({ ...w.identity!, organisation: 'bank' }, 'agr-1'))).toBe('CERTIFICATE_NOT_REGISTERED');
    expect(await reasonOf(enforcement.admitSystem({ ...w.identity!, fingerprint256: OTHER_FINGERPRINT }, 'agr-1'))).toBe(
      'CERTIFICATE_NOT_REGISTERED',
    );
    w.system = null;
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('CERTIFICATE_NOT_REGISTERED');
    w.system = world().system;
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('allowed');
  });

  it("R22: an agreement made for another of the organisation's systems is AGREEMENT_NOT_YOURS (no borrowed agreements)", async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    w.agreement = { ...w.agreement, system: { ...w.agreement.system, id: 'vss-pension' } };
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('AGREEMENT_NOT_YOURS');
  });

  it.each([
    ['suspended', {}, 'AGREEMENT_SUSPENDED'],
    ['revoked', {}, 'AGREEMENT_REVOKED'],
    ['approved', { from: new Date('2026-12-01T00:00:00Z'), until: new Date('2027-12-01T00:00:00Z') }, 'AGREEMENT_NOT_YET_VALID'],
    ['approved', { from: new Date('2025-01-01T00:00:00Z'), until: new Date('2026-11-29T00:00:00Z') }, 'AGREEMENT_EXPIRED'],
    ['approved', {}, 'allowed'],
  ] as const)(
    'R22: an agreement %s with validity %o is %s (calls only under an agreement in force)',
    async (status, validity, expected) => {
      const w = world();
      const { enforcement } = enforcementOf(w);
      w.agreement = { ...w.agreement, status, validity: { ...w.agreement.validity, ...validity } };
      expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe(expected);
    },
  );

  it.each(['ASSESSMENT_MISSING', 'ASSESSMENT_EXPIRED', 'ASSESSMENT_LEVEL_TOO_LOW', 'ASSESSMENT_FOR_OTHER_VERSION'] as const)(
    'R29: the security assessment refusal %s is the call’s refusal; a valid assessment is allowed',
    async (reason) => {
      const w = world();
      const { enforcement } = enforcementOf(w);
      w.assessment = { ok: false, reason };
      expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe(reason);
      w.assessment = { ok: true };
      expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('allowed');
    },
  );

  it('R37: one field not granted refuses the whole call, naming only that field; a field granted only for matching is refused for disclosure and allowed for Verify', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    const refusal = await enforcement.authorize(w.identity, call({ fields: ['fullName', 'bloodType'] })).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(Refusal);
    expect((refusal as Refusal).reason).toBe('FIELD_NOT_GRANTED');
    expect((refusal as Refusal).message).toContain('bloodType');
    expect((refusal as Refusal).message).not.toContain('fullName,');
    expect(await reasonOf(enforcement.authorize(w.identity, call({ fields: ['dateOfBirth'] })))).toBe('FIELD_NOT_GRANTED');
    expect(await reasonOf(enforcement.authorize(w.identity, call({ service: 'Verify', mode: 'match', fields: ['dateOfBirth'] })))).toBe(
      'allowed',
    );
  });

  it('R12: consent is asked for each citizen of the call when the requester needs it; one citizen without it refuses the call; a state body is never asked', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    const other = '001090000002';
    expect(await reasonOf(enforcement.authorize(w.identity, call({ service: 'BatchLookup', personalIds: [CITIZEN, other] })))).toBe(
      'allowed',
    );
    expect(w.reads.filter((read) => read.startsWith('consent:'))).toEqual([]);

    w.agreement = { ...w.agreement, consentRequired: true };
    w.consent.set(CITIZEN, { required: true, granted: true, channel: 'VNeID', since: NOW });
    w.consent.set(other, { required: true, granted: false, reason: 'CONSENT_REVOKED' });
    expect(await reasonOf(enforcement.authorize(w.identity, call({ service: 'BatchLookup', personalIds: [CITIZEN, other] })))).toBe(
      'CONSENT_MISSING',
    );
    expect(await reasonOf(enforcement.authorize(w.identity, call({ service: 'BatchLookup', personalIds: [CITIZEN] })))).toBe('allowed');
  });

  it("R22: the rate is the agreement's calls per second, shared by the live hub instances; a call in the next second is allowed again", async () => {
    const w = world();
    w.agreement.quota.ratePerSecond = 4;
    const { enforcement, advance } = enforcementOf(w, { instances: () => 2 });
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await reasonOf(enforcement.authorize(w.identity, call())));
    expect(decisions).toEqual(['allowed', 'allowed', 'RATE_LIMITED']); // this instance's share: 4 / 2
    advance(1_000);
    expect(await reasonOf(enforcement.authorize(w.identity, call()))).toBe('allowed');
  });

  it('R23: a call takes one unit of the daily quota per citizen (a WatchChanges stream pays per change, later); an exhausted quota is QUOTA_EXCEEDED', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w);
    await enforcement.authorize(w.identity, call());
    await enforcement.authorize(w.identity, call({ service: 'BatchLookup', personalIds: [CITIZEN, '001090000002', '001090000003'] }));
    await enforcement.authorize(w.identity, call({ service: 'WatchChanges', personalIds: [CITIZEN, '001090000002'] }));
    expect(w.units).toEqual([1, 3]);
    w.quota = { ok: false, reason: 'QUOTA_EXCEEDED', limit: 1_000, day: DAY };
    expect(await reasonOf(enforcement.authorize(w.identity, call()))).toBe('QUOTA_EXCEEDED');
  });
});

describe('the enforcement pipeline: certificates over time', () => {
  it('R22: a certificate past its validity is refused as CERTIFICATE_EXPIRED, though TLS accepted it when the connection opened; before, it is admitted', async () => {
    const w = world();
    const { enforcement, advance } = enforcementOf(w);
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('allowed');
    advance(30 * 24 * 3600 * 1000);
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('CERTIFICATE_EXPIRED');
  });

  it('R22: a revoked certificate is refused as CERTIFICATE_REVOKED as soon as the cache is invalidated, and open streams are told to re-check', async () => {
    const w = world();
    const { enforcement } = enforcementOf(w, { cacheMs: 3_600_000 });
    const rechecks: string[] = [];
    const stop = enforcement.onInvalidate(() => rechecks.push('stream'));
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('allowed');
    w.revoked.add(FINGERPRINT);
    // Cached: the revocation is not seen until something invalidates (the topic, or this process's registry).
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('allowed');
    enforcement.invalidate();
    expect(rechecks).toEqual(['stream']);
    expect(await reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))).toBe('CERTIFICATE_REVOKED');
    stop();
    enforcement.invalidate();
    expect(rechecks).toEqual(['stream']);
  });

  it('calls arriving together share one registry read of each kind; a failed read is not kept', async () => {
    const w = world();
    const registry = registryOf(w);
    let failNext = true;
    const findSystem = registry.findSystem;
    registry.findSystem = async (id) => {
      if (failNext) {
        failNext = false;
        w.reads.push('system-failed');
        throw new Error('store unavailable');
      }
      return findSystem(id);
    };
    const enforcement = new Enforcement(registry, { clock: () => NOW, cacheMs: 3_600_000 });
    await expect(enforcement.admitSystem(w.identity, 'agr-1')).rejects.toThrow('store unavailable');
    const decisions = await Promise.all(Array.from({ length: 10 }, () => reasonOf(enforcement.admitSystem(w.identity, 'agr-1'))));
    expect(decisions).toEqual(Array(10).fill('allowed'));
    expect(w.reads.filter((read) => read === 'system' || read === 'system-failed')).toEqual(['system-failed', 'system']);
    expect(w.reads.filter((read) => read === 'agreement')).toEqual(['agreement']);
  });
});

describe('the enforcement pipeline: registry reads refreshed ahead', () => {
  /** A world whose system reads can be held until the test lets them go. */
  function gated() {
    const w = world();
    const registry = registryOf(w);
    const held: Array<() => void> = [];
    let hold = false;
    const findSystem = registry.findSystem;
    registry.findSystem = async (id) => {
      if (hold) await new Promise<void>((release) => held.push(release));
      return findSystem(id);
    };
    let monotonic = 1_000_000; // lru-cache takes a start time of 0 for "no lifetime"
    const enforcement = new Enforcement(registry, { clock: () => NOW, monotonicClock: () => monotonic, cacheMs: 2_000 });
    return {
      w,
      enforcement,
      systemReads: () => w.reads.filter((read) => read === 'system').length,
      hold: (on: boolean) => (hold = on),
      release: () => {
        for (const go of held.splice(0)) go();
      },
      advance: (ms: number) => (monotonic += ms),
    };
  }

  it('R22: a read used in the second half of its lifetime is read again in the background; the call does not wait for it, and the fresh read then serves past the first one’s expiry', async () => {
    const g = gated();
    expect(await reasonOf(g.enforcement.admitSystem(g.w.identity, 'agr-1'))).toBe('allowed');
    expect(g.systemReads()).toBe(1);
    g.advance(1_500);
    g.hold(true);
    expect(await reasonOf(g.enforcement.admitSystem(g.w.identity, 'agr-1'))).toBe('allowed'); // answered from the cache, refresh held
    g.w.system = null; // the registry changed meanwhile (a change whose invalidation was lost)
    g.hold(false);
    g.release();
    await expect.poll(() => g.systemReads()).toBe(2);
    await new Promise((resolve) => setImmediate(resolve)); // the fresh read lands
    g.advance(600); // 2.1 s after the first read: it would have expired; the refreshed one (0.6 s old) stands
    expect(await reasonOf(g.enforcement.admitSystem(g.w.identity, 'agr-1'))).toBe('CERTIFICATE_NOT_REGISTERED');
    expect(g.systemReads()).toBe(2);
  });

  it('R22: a refresh in flight when the cache is invalidated never lands: the next call reads the registry anew', async () => {
    const g = gated();
    await g.enforcement.admitSystem(g.w.identity, 'agr-1');
    g.advance(1_500);
    g.hold(true);
    await g.enforcement.admitSystem(g.w.identity, 'agr-1'); // starts the refresh, held
    g.enforcement.invalidate();
    g.hold(false);
    g.w.system = null;
    expect(await reasonOf(g.enforcement.admitSystem(g.w.identity, 'agr-1'))).toBe('CERTIFICATE_NOT_REGISTERED');
    g.release(); // the old refresh (which read the old system) ends now, after the invalidation
    await expect.poll(() => g.systemReads()).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await reasonOf(g.enforcement.admitSystem(g.w.identity, 'agr-1'))).toBe('CERTIFICATE_NOT_REGISTERED');
  });
});
