// Enumeration and match-oracle abuse (the three patterns), watched per agreement:
//   - match-oracle:   Verify, Lookup or BatchLookup calls on one citizen that keep varying one
//                     attribute (guessing a date of birth or a name, whichever service asks) —
//                     that citizen is blocked for the agreement;
//   - sequential-ids: a run of lookups whose personal ids go up or down by one;
//   - no-match-rate:  most recent lookups / verifications found nothing or matched nothing. A
//                     citizen found again within the window is no new hit, so padding a batch
//                     of guesses with the same known-good keys does not dilute the misses.
// A pattern blocks for a cool-down (RESOURCE_EXHAUSTED THROTTLED) and is reported through
// `onFlag` so operators see it (metric, log, journal). In memory, per hub instance: a client
// spreading its calls over instances gets proportionally more room; the daily quota, kept in
// the store, still bounds it.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { LRUCache } from 'lru-cache';
import { canonical } from './citizen-view.ts';
import type { CitizenKey } from './exchange-call.ts';
import { refuse } from './refusal.ts';

export type AbusePattern = 'match-oracle' | 'sequential-ids' | 'no-match-rate';

export interface AbuseGuardOptions {
  /** Distinct claimed values of one field of one citizen tolerated within `windowMs`. */
  maxDistinctClaims: number;
  /** A run of this many consecutive ids (±1) is enumeration. */
  sequentialRun: number;
  /** Over the last `missWindow` outcomes (at least `minSamples`), more than `maxMissShare` misses. */
  missWindow: number;
  minSamples: number;
  maxMissShare: number;
  windowMs: number;
  coolDownMs: number;
  onFlag?: (flag: AbuseFlag) => void;
}

export interface AbuseFlag {
  pattern: AbusePattern;
  agreementId: string;
  detail: string;
}

export const DEFAULT_ABUSE_OPTIONS: AbuseGuardOptions = {
  maxDistinctClaims: 3,
  sequentialRun: 10,
  missWindow: 50,
  minSamples: 20,
  maxMissShare: 0.6,
  windowMs: 10 * 60_000,
  coolDownMs: 5 * 60_000,
};

interface AgreementTrail {
  lastNumericId: bigint | null;
  run: number;
  outcomes: boolean[];
}

export class AbuseGuard {
  private readonly options: AbuseGuardOptions;
  /** `<agreement>|<citizen>|<field>` → hashes of the values claimed recently. */
  private readonly claims: LRUCache<string, Set<string>>;
  /** `<agreement>` or `<agreement>|<citizen>` → why it is blocked. */
  private readonly blocked: LRUCache<string, AbusePattern>;
  private readonly trails = new LRUCache<string, AgreementTrail>({ max: 10_000 });
  /** `<agreement>|<citizen>` found or matched within `windowMs`: a repeat is no new hit. */
  private readonly hits: LRUCache<string, true>;

  constructor(options: Partial<AbuseGuardOptions> = {}) {
    this.options = { ...DEFAULT_ABUSE_OPTIONS, ...options };
    this.claims = new LRUCache({ max: 100_000, ttl: this.options.windowMs });
    this.blocked = new LRUCache({ max: 100_000, ttl: this.options.coolDownMs });
    this.hits = new LRUCache({ max: 100_000, ttl: this.options.windowMs });
  }

  /** Before a lookup or verification: refuses while the agreement or that citizen is blocked. */
  admit(agreementId: string, personalIds: readonly string[]): void {
    const whole = this.blocked.get(agreementId);
    if (whole) refuse('THROTTLED', `calls under agreement ${agreementId} are paused: ${describe(whole)}; operators have been notified`);
    for (const id of personalIds) {
      const one = this.blocked.get(`${agreementId}|${id}`);
      if (one) refuse('THROTTLED', `verifications of this citizen under agreement ${agreementId} are paused: ${describe(one)}`);
    }
    this.watchSequence(agreementId, personalIds);
  }

  /**
   * Before a Lookup or BatchLookup: the name and date of birth each key states are claims like
   * Verify's (counted together with them), so guessing either through a lookup is caught too.
   */
  admitKeys(agreementId: string, keys: readonly CitizenKey[]): void {
    for (const key of keys) {
      this.admitClaims(agreementId, key.personalId, [
        { field: 'fullName', value: key.fullName },
        { field: 'dateOfBirth', value: key.dateOfBirth },
      ]);
    }
  }

  /** Before a Verify: the claimed values, so guessing one attribute is caught. */
  admitClaims(agreementId: string, personalId: string, claims: readonly { field: string; value?: unknown }[]): void {
    for (const claim of claims) {
      const key = `${agreementId}|${personalId}|${claim.field}`;
      const seen = this.claims.get(key) ?? new Set<string>();
      // Compared as Verify compares: "Nguyễn Văn An" and "nguyễn  văn an" are one claim, not two guesses.
      seen.add(
        createHash('sha256')
          .update(canonicalize(canonical(claim.value ?? null)) ?? 'null')
          .digest('hex'),
      );
      this.claims.set(key, seen);
      if (seen.size > this.options.maxDistinctClaims) {
        const flag = this.flag(`${agreementId}|${personalId}`, {
          pattern: 'match-oracle',
          agreementId,
          detail: `${seen.size} different values of ${claim.field} claimed for one citizen within ${Math.round(this.options.windowMs / 60_000)} min`,
        });
        refuseFor(flag);
      }
    }
  }

  /** After a lookup or verification: whether it found / matched anything. Flags, never refuses: the answer is decided. */
  record(agreementId: string, personalId: string, hit: boolean): void {
    if (hit) {
      const key = `${agreementId}|${personalId}`;
      if (this.hits.has(key)) return;
      this.hits.set(key, true);
    }
    const trail = this.trail(agreementId);
    trail.outcomes.push(hit);
    if (trail.outcomes.length > this.options.missWindow) trail.outcomes.shift();
    const misses = trail.outcomes.filter((outcome) => !outcome).length;
    if (trail.outcomes.length >= this.options.minSamples && misses / trail.outcomes.length > this.options.maxMissShare) {
      trail.outcomes = [];
      this.flag(agreementId, { pattern: 'no-match-rate', agreementId, detail: `${misses} of the last calls found or matched nothing` });
    }
  }

  private watchSequence(agreementId: string, personalIds: readonly string[]): void {
    const trail = this.trail(agreementId);
    for (const id of personalIds) {
      const numeric = BigInt(id);
      const step = trail.lastNumericId === null ? 0n : numeric - trail.lastNumericId;
      trail.run = step === 1n || step === -1n ? trail.run + 1 : 0;
      trail.lastNumericId = numeric;
      if (trail.run + 1 >= this.options.sequentialRun) {
        trail.run = 0;
        refuseFor(
          this.flag(agreementId, {
            pattern: 'sequential-ids',
            agreementId,
            detail: `${this.options.sequentialRun} consecutive personal ids in a row`,
          }),
        );
      }
    }
  }

  private trail(agreementId: string): AgreementTrail {
    let trail = this.trails.get(agreementId);
    if (!trail) {
      trail = { lastNumericId: null, run: 0, outcomes: [] };
      this.trails.set(agreementId, trail);
    }
    return trail;
  }

  /** Blocks for the cool-down and tells operators; the caller decides whether this call is refused too. */
  private flag(blockKey: string, flag: AbuseFlag): AbuseFlag {
    this.blocked.set(blockKey, flag.pattern);
    this.options.onFlag?.(flag);
    return flag;
  }
}

function refuseFor(flag: AbuseFlag): never {
  refuse('THROTTLED', `${describe(flag.pattern)} (${flag.detail}); operators have been notified`);
}

function describe(pattern: AbusePattern): string {
  switch (pattern) {
    case 'match-oracle':
      return 'repeated verifications varying one attribute of a citizen look like guessing';
    case 'sequential-ids':
      return 'consecutive personal ids look like enumeration';
    case 'no-match-rate':
      return 'too many recent calls found or matched nothing';
  }
}
