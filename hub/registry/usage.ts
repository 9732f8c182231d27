// Usage metering per agreement and day (R23: non-state requesters pay; quotas bound everyone).
//
// Measured on FerretDB 1.24.2: concurrent `$inc` updates of one document lose increments (40
// concurrent `$inc: 1` left 11), because it reads, modifies and writes back without a lock. The
// only atomic step it offers is inserting a unique `_id`, so each counted call claims the next
// slot of its day: `_id` = `<agreement>:<YYYY-MM-DD>:<allowed|refused>:<n>`. Slots are taken
// lowest-free-first, so they stay contiguous and "how many today" is the highest taken slot,
// found with a few reads by `_id` (galloping, then bisecting). A call's slot number is the day's
// count including it, which is what the daily quota compares with its limit.
import { isDuplicateKey } from '../store/duplicate-key.ts';
import type { Collection } from 'mongodb';
import pMap from 'p-map';
import type { ServiceName } from './service-catalogue.ts';
import { localDay } from './working-days.ts';

export type UsageDecision = 'allowed' | 'refused';

/** Collection `usage`: one document per counted call. */
export interface UsageSlot {
  _id: string;
  service: ServiceName;
  at: Date;
}

export interface UsageCount {
  day: string;
  /** This call's place in the day's calls with the same decision: the day's count, this one included. */
  count: number;
}

export type QuotaOutcome =
  | { ok: true; used: number; limit: number; day: string }
  | { ok: false; reason: 'QUOTA_EXCEEDED'; used: number; limit: number; day: string };

export interface UsageReport {
  agreementId: string;
  from: string;
  to: string;
  days: { day: string; allowed: number; refused: number }[];
  total: { allowed: number; refused: number };
}

/** The longest span one report reads. */
export const MAX_REPORT_DAYS = 400;

/** Every day from `from` to `to` inclusive (`YYYY-MM-DD`), or null when the span is not one. */
export function daysBetween(from: string, to: string): string[] | null {
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || Number.isNaN(start) || Number.isNaN(end) || end < start) return null;
  const days: string[] = [];
  for (let t = start; t <= end && days.length <= MAX_REPORT_DAYS; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days.length > MAX_REPORT_DAYS ? null : days;
}

export class UsageMeter {
  /** Highest slot this process knows taken, per sequence: where the next claim starts. */
  private readonly hints = new Map<string, { day: string; taken: number }>();
  /**
   * This process's claims on one sequence go one at a time. Racing each other for the same next
   * slot, every loser paid a search and raced again: with 16 calls in flight a claim took
   * ~100× as long as alone (bench:lookup). Other hub instances still race; the duplicate key
   * settles that as before.
   */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly slots: Collection<UsageSlot>) {}

  /** Counts one call; returns the day's count for its decision, this call included. */
  async count(agreementId: string, service: ServiceName, decision: UsageDecision, at: Date): Promise<UsageCount> {
    const day = localDay(at);
    const count = await this.claim(`${agreementId}:${day}:${decision}`, day, service, at, Number.POSITIVE_INFINITY);
    return { day, count: count ?? 0 };
  }

  /**
   * Takes one call from the agreement's daily limit. Exactly `limit` calls a day get a slot
   * however many hub instances race; the rest are refused and counted as refused.
   */
  async takeDailyQuota(agreement: { id: string; quota: { dailyLimit: number } }, service: ServiceName, at: Date): Promise<QuotaOutcome> {
    const day = localDay(at);
    const limit = agreement.quota.dailyLimit;
    const used = await this.claim(`${agreement.id}:${day}:allowed`, day, service, at, limit);
    if (used !== null) return { ok: true, used, limit, day };
    await this.count(agreement.id, service, 'refused', at);
    return { ok: false, reason: 'QUOTA_EXCEEDED', used: limit, limit, day };
  }

  /** Allowed and refused calls per day with any, from `from` to `to` (Vietnam days). */
  async report(agreementId: string, days: readonly string[]): Promise<UsageReport['days']> {
    const counted = await pMap(
      days,
      async (day) => ({ day, allowed: await this.highestTaken(`${agreementId}:${day}:allowed`, 0), refused: await this.highestTaken(`${agreementId}:${day}:refused`, 0) }),
      { concurrency: 8 },
    );
    return counted.filter((day) => day.allowed + day.refused > 0);
  }

  /** Claims the lowest free slot up to `limit`; null when all are taken. */
  private claim(sequence: string, day: string, service: ServiceName, at: Date, limit: number): Promise<number | null> {
    const claimed = (this.queues.get(sequence) ?? Promise.resolve()).then(() => this.claimNow(sequence, day, service, at, limit));
    const settled = claimed.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(sequence, settled);
    void settled.then(() => {
      if (this.queues.get(sequence) === settled) this.queues.delete(sequence);
    });
    return claimed;
  }

  private async claimNow(sequence: string, day: string, service: ServiceName, at: Date, limit: number): Promise<number | null> {
    const hint = this.hints.get(sequence);
    let next = (hint === undefined ? await this.highestTaken(sequence, 0) : hint.taken) + 1;
    for (;;) {
      if (next > limit) {
        this.remember(sequence, day, next - 1);
        return null;
      }
      try {
        await this.slots.insertOne({ _id: `${sequence}:${next}`, service, at });
        this.remember(sequence, day, next);
        return next;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        next = (await this.highestTaken(sequence, next)) + 1; // another instance got there first
      }
    }
  }

  /** The highest taken slot, given one known taken (or 0): slots are contiguous from 1. */
  private async highestTaken(sequence: string, known: number): Promise<number> {
    const taken = async (slot: number) => (await this.slots.findOne({ _id: `${sequence}:${slot}` }, { projection: { _id: 1 } })) !== null;
    let low = known;
    let step = 1;
    while (await taken(low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step; // known free
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await taken(middle)) low = middle;
      else high = middle;
    }
    return low;
  }

  private remember(sequence: string, day: string, taken: number): void {
    this.hints.set(sequence, { day, taken });
    // Keep only today's and yesterday's hints: a long-running hub must not grow one per day.
    if (this.hints.size > 10_000) for (const [key, value] of this.hints) if (value.day < day) this.hints.delete(key);
  }
}
