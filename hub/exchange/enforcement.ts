// The enforcement pipeline: every consumer call passes these steps, in this order, and the
// first that fails refuses the whole call. Read it top to bottom; nothing else decides access.
//
//   authenticated system (unexpired, unrevoked certificate) → agreement is the system's organisation's → agreement in force
//   → assessment valid for the connected version → service granted → purpose granted
//   → every field granted in the mode asked → consent (non-state requesters) → rate, quota units
//
// What the pipeline returns is the grant the handler answers within: the agreement, and the
// fields it may project to (exactly those asked, all of them granted).
import { LRUCache } from 'lru-cache';
import type { CitizenField } from '../citizen/fields.ts';
import type { PeerIdentity } from '../pki/peer-identity.ts';
import { type Agreement, agreementInForce } from '../registry/agreement.ts';
import { isPurpose } from '../registry/purposes.ts';
import type { Registry } from '../registry/registry.ts';
import { RegistryError } from '../registry/registry-error.ts';
import type { SystemRecord } from '../registry/registry-store.ts';
import type { FieldMode } from '../registry/service-catalogue.ts';
import type { ExchangeCall } from './exchange-call.ts';
import { RateLimits } from './rate-limits.ts';
import { refuse } from './refusal.ts';

/** What the pipeline reads from the registry (the Registry itself; a fake in unit tests). */
export type EnforcementRegistry = Pick<Registry, 'findSystem' | 'getAgreement' | 'assessmentStatus' | 'consentStatus' | 'takeDailyQuota'> &
  Partial<Pick<Registry, 'onChange'>> &
  // Optional only so benchmarks may time the pipeline without it; the hub always passes its Registry.
  Partial<Pick<Registry, 'isCertificateRevoked'>>;

export interface EnforcementOptions {
  clock?: () => Date;
  /**
   * How long a system, agreement and assessment read from the registry is reused (default 2 s; 0:
   * never). Every call would otherwise read all three from the store. Changes made through this
   * process's registry drop the cache at once, and so does every record on the invalidation topic
   * (`invalidate`); a change whose record was lost takes effect within this time. Consents and
   * quotas are never cached. A read used in the last half of its time is refreshed in the
   * background, so under steady load no call waits for the registry.
   */
  cacheMs?: number;
  /** Live hub instances sharing each agreement's rate (hub-instances.ts); default 1. */
  instances?: () => number;
  /** The monotonic clock in ms of rate limits and cache lifetimes (default `performance.now`); tests pass their own. */
  monotonicClock?: () => number;
}

interface CachedRead {
  value: Promise<unknown>;
  settled: boolean;
  refreshing: boolean;
}

export interface Admission {
  agreement: Agreement;
  systemId: string;
  organisationId: string;
}

export interface Grant extends Admission {
  fields: CitizenField[];
}

export class Enforcement {
  private readonly rates: RateLimits;

  private readonly clock: () => Date;
  private readonly cache: LRUCache<string, CachedRead> | undefined;
  private readonly refreshAfterMs: number;
  /** Bumped by every invalidation: a refresh started before one never lands after it. */
  private generation = 0;
  /** Open streams, told to re-check their standing now. */
  private readonly rechecks = new Set<() => void>();

  constructor(
    private readonly registry: EnforcementRegistry,
    options: EnforcementOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.rates = new RateLimits({
      ...(options.instances ? { instances: options.instances } : {}),
      ...(options.monotonicClock ? { clock: options.monotonicClock } : {}),
    });
    const cacheMs = options.cacheMs ?? 2_000;
    const perf = options.monotonicClock ? { now: options.monotonicClock } : undefined;
    this.cache = cacheMs > 0 ? new LRUCache({ max: 10_000, ttl: cacheMs, ttlResolution: 0, ...(perf ? { perf } : {}) }) : undefined;
    this.refreshAfterMs = cacheMs / 2;
    registry.onChange?.(() => this.invalidate());
  }

  /** Drops every cached registry read and has open streams re-check at once (a registry change here or on another instance). */
  invalidate(): void {
    this.generation += 1;
    this.cache?.clear();
    for (const recheck of this.rechecks) recheck();
  }

  /** Calls `recheck` on every invalidation until the returned function is called. */
  onInvalidate(recheck: () => void): () => void {
    this.rechecks.add(recheck);
    return () => void this.rechecks.delete(recheck);
  }

  /**
   * A registry read, reused for `cacheMs` (null results too: an unknown system stays unknown).
   * The read itself is what is cached, so calls arriving together while it is in flight share
   * one store read instead of queueing one each; a failed read is forgotten. A read in flight
   * when the cache is dropped never re-enters it. A settled read used in the second half of its
   * time is read again in the background (refresh-ahead): the caller gets the cached answer at
   * once and the fresh one replaces it when it lands, so no answer served is older than
   * `cacheMs` plus one read, and a hot key never expires under callers' feet.
   */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const cache = this.cache;
    if (!cache) return read();
    const hit = cache.get(key);
    if (hit) {
      if (hit.settled && !hit.refreshing && cache.getRemainingTTL(key) <= this.refreshAfterMs) this.refresh(cache, key, hit, read);
      return hit.value as Promise<T>;
    }
    return this.store(cache, key, read());
  }

  private store<T>(cache: LRUCache<string, CachedRead>, key: string, value: Promise<T>): Promise<T> {
    const entry: CachedRead = { value, settled: false, refreshing: false };
    cache.set(key, entry);
    value.then(
      () => (entry.settled = true),
      () => {
        if (cache.get(key) === entry) cache.delete(key);
      },
    );
    return value;
  }

  private refresh<T>(cache: LRUCache<string, CachedRead>, key: string, stale: CachedRead, read: () => Promise<T>): void {
    stale.refreshing = true;
    const generation = this.generation;
    read().then(
      (fresh) => {
        if (this.generation === generation && cache.peek(key) === stale) this.store(cache, key, Promise.resolve(fresh));
      },
      () => (stale.refreshing = false), // the stale answer stands until it expires; the next call tries again
    );
  }

  /**
   * 1. An authenticated system holding a certificate the registry issued to it. mTLS proved the
   *    key and the CA; the fingerprint proves it is one of this system's certificates. (Support
   *    calls need no more than this: a system whose agreement is suspended may still ask for help.)
   */
  async registeredSystem(identity: PeerIdentity | null): Promise<SystemRecord> {
    if (!identity) refuse('CERTIFICATE_MISSING', 'present the client certificate issued to your system by `dancu pki issue`');
    if (identity.kind !== 'system')
      refuse(
        'CERTIFICATE_NOT_REGISTERED',
        `${identity.id} presented an ${identity.kind} certificate; consumers call with their system's certificate`,
      );
    //    TLS checked validity at the handshake only; a connection, and a stream on it, outlives it.
    if (identity.notAfter && identity.notAfter <= this.clock())
      refuse(
        'CERTIFICATE_EXPIRED',
        `the certificate of system ${identity.id} expired ${identity.notAfter.toISOString()}: ask the hub operator for a new one`,
      );
    const revoked = await this.cached(
      `revoked:${identity.fingerprint256}`,
      async () => (await this.registry.isCertificateRevoked?.(identity.fingerprint256)) ?? false,
    );
    if (revoked)
      refuse(
        'CERTIFICATE_REVOKED',
        `the certificate ${identity.fingerprint256} of system ${identity.id} has been revoked: ask the hub operator for a new one`,
      );
    const system = await this.cached(`system:${identity.id}`, () => this.registry.findSystem(identity.id));
    if (!system || system.organisationId !== identity.organisation || !system.certificateFingerprints?.includes(identity.fingerprint256)) {
      refuse(
        'CERTIFICATE_NOT_REGISTERED',
        `the certificate presented for system ${identity.id} of ${identity.organisation} is not one the registry issued to that system`,
      );
    }
    return system;
  }

  /** Steps 1–4, the caller's standing: every service runs them, and open streams re-run them. */
  async admitSystem(identity: PeerIdentity | null, agreementId: string): Promise<Admission> {
    const system = await this.registeredSystem(identity);

    // 2. The agreement is this organisation's, made for this system: no borrowed agreements.
    const agreement = await this.agreement(agreementId);
    if (agreement.organisation.id !== system.organisationId || agreement.system.id !== system._id) {
      refuse('AGREEMENT_NOT_YOURS', `agreement ${agreementId} was not made with system ${system._id} of ${system.organisationId}`);
    }

    // 3. Approved, not suspended or revoked, within its validity window.
    const now = this.clock();
    const inForce = agreementInForce(agreement, now);
    if (!inForce.ok)
      refuse(inForce.reason, `agreement ${agreementId} is not in force (${inForce.reason.toLowerCase().replaceAll('_', ' ')})`);

    // 4. A valid security assessment (level 3+, under a year old) of the version now connected.
    //    A sandbox agreement runs before the assessment: test runs are part of preparing it (R34).
    const assessment = agreement.sandbox
      ? { ok: true as const }
      : await this.cached(`assessment:${agreement.id}:${agreement.system.id}`, () => this.registry.assessmentStatus(agreement, now));
    if (!assessment.ok) {
      refuse(
        assessment.reason,
        `system ${system._id} version ${agreement.system.version} has no valid security assessment (${assessment.reason.toLowerCase().replaceAll('_', ' ')})`,
      );
    }

    return { agreement, systemId: system._id, organisationId: system.organisationId };
  }

  /** The whole pipeline for one call. Throws a Refusal at the first failing step. */
  async authorize(identity: PeerIdentity | null, call: ExchangeCall): Promise<Grant> {
    const admitted = await this.admitSystem(identity, call.context.agreementId);
    const { agreement } = admitted;

    // 5. The service.
    if (!(agreement.services as readonly string[]).includes(call.service))
      refuse('SERVICE_NOT_GRANTED', `agreement ${agreement.id} does not grant ${call.service}`);

    // 6. The purpose: from the closed catalogue, and named in the agreement.
    if (!isPurpose(call.context.purpose))
      refuse('PURPOSE_UNKNOWN', `${call.context.purpose} is not a purpose in the catalogue (\`dancu registry catalogue\`)`);
    if (!(agreement.purposes as readonly string[]).includes(call.context.purpose)) {
      refuse('PURPOSE_NOT_GRANTED', `agreement ${agreement.id} does not name purpose ${call.context.purpose}`);
    }

    // 7. Every field, in the mode asked. One field too many refuses the whole call.
    const refused = call.fields.filter((field) => !grants(agreement, field, call.mode));
    if (refused.length > 0) {
      refuse(
        'FIELD_NOT_GRANTED',
        `agreement ${agreement.id} does not grant ${refused.join(', ')} in ${call.mode ?? 'any'} mode; nothing was answered`,
      );
    }

    // 8. Consent: a record the hub holds, confirmed by the citizen; never the caller's word.
    if (agreement.consentRequired) await this.requireConsent(agreement, call.personalIds, 'CONSENT_MISSING');

    // 9. Rate (this instance's share of it) and the daily quota (leased blocks, across instances):
    //    one unit per citizen the call concerns; a WatchChanges stream pays per change delivered.
    if (!this.rates.take(agreement.id, agreement.quota.ratePerSecond)) {
      refuse('RATE_LIMITED', `agreement ${agreement.id} allows ${agreement.quota.ratePerSecond} calls per second; slow down and retry`);
    }
    if (call.service !== 'WatchChanges') await this.takeUnits(agreement, call.service, Math.max(1, call.personalIds.length));

    return { ...admitted, fields: call.fields };
  }

  /** Every named citizen's consent to the agreement stands (R12). Returns since when, per citizen whose consent is required. */
  async requireConsent(
    agreement: Agreement,
    personalIds: readonly string[],
    reason: 'CONSENT_MISSING' | 'CONSENT_REVOKED',
  ): Promise<Map<string, Date>> {
    const since = new Map<string, Date>();
    for (const personalId of personalIds) {
      const consent = await this.registry.consentStatus(agreement, personalId);
      if (consent.required && !consent.granted) {
        refuse(reason, `citizen ${personalId} has not consented (or no longer consents) to agreement ${agreement.id}`);
      }
      if (consent.required) since.set(personalId, new Date(consent.since));
    }
    return since;
  }

  private async agreement(id: string): Promise<Agreement> {
    try {
      return await this.cached(`agreement:${id}`, () => this.registry.getAgreement(id));
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'NOT_FOUND')
        refuse('AGREEMENT_UNKNOWN', `no connection agreement ${id} is in force or on record`);
      throw error;
    }
  }

  /** Takes units of the agreement's daily quota (R23), all or none. */
  async takeUnits(agreement: Agreement, service: ExchangeCall['service'], units: number): Promise<void> {
    const quota = await this.registry.takeDailyQuota(agreement, service, this.clock(), units);
    if (!quota.ok) {
      refuse(
        'QUOTA_EXCEEDED',
        `agreement ${agreement.id} allows ${quota.limit} units a day (one per citizen answered or change delivered) and has fewer than ${units} left; the quota resets at midnight, Vietnam time`,
      );
    }
  }
}

/** Whether the agreement grants the field in the mode (null: in any mode, as ReportDataError needs). */
export function grants(agreement: Pick<Agreement, 'grants'>, field: string, mode: FieldMode | null): boolean {
  const grant = agreement.grants.find((candidate) => candidate.field === field);
  if (!grant) return false;
  return mode === null ? grant.modes.length > 0 : grant.modes.includes(mode);
}
