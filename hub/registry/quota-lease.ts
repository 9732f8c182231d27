// Quota leases (R23): an agreement's daily units are cut into numbered blocks of BLOCK_UNITS, and
// a hub instance claims a whole block with one insert, then hands its units out in memory. So
// the store sees one write per block, never one per call.
//
// Why the daily limit holds however many instances race: block n covers units
// ((n-1)·BLOCK_UNITS, min(n·BLOCK_UNITS, limit)], a block exists only when (n-1)·BLOCK_UNITS <
// limit, and its `_id` `<agreement>/<day>/<n>` can be inserted exactly once (FerretDB 1.24's only
// atomic step: a duplicate key). The sum of leased units can never pass the limit.
//
// What was used: the holder, and only the holder, writes its lease's `used` and per-service
// counts every FLUSH_MS and when it releases the lease (day over, block spent, hub stopping). One
// writer per document, so FerretDB's read-then-write updates lose nothing. Refused units are
// kept the same way, in one document per instance and day. A released block's unused units are
// not leased again that day (they expire at midnight): at most one block per agreement per
// instance stop. A lease whose holder stopped writing for STALE_MS without releasing it (a
// crashed instance) counts as fully used: the units may have been answered.
//
// An instance may be refused while another still holds unused units of its block: the limit is
// never exceeded, and at most BLOCK_UNITS − 1 units per instance go unserved that way.
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { isDuplicateKey } from '../store/duplicate-key.ts';
import type { ServiceName } from './service-catalogue.ts';
import { localDay } from './working-days.ts';

export const BLOCK_UNITS = 100;
/** How often a holder writes what it used, and proves it is alive. */
export const FLUSH_MS = 5_000;
/** A lease not written for this long, and not released, is a crashed holder's: fully used. */
export const STALE_MS = 60_000;
/** Claim the next block before this one runs out, so calls do not wait for the insert. */
const CLAIM_AHEAD_UNITS = BLOCK_UNITS / 4;

export type ServiceCounts = Partial<Record<ServiceName, number>>;

/** Collection `quota_leases`: a block of an agreement's day, or an instance's refused units that day. */
export type QuotaDocument = QuotaLease | RefusedTally;

export interface QuotaLease {
  /** `<agreement>/<day>/<block>` */
  _id: string;
  kind: 'lease';
  agreementId: string;
  day: string;
  block: number;
  units: number;
  instance: string;
  leasedAt: Date;
  /** Units handed out, as last written by the holder. */
  used: number;
  services: ServiceCounts;
  writtenAt: Date;
  released: boolean;
}

export interface RefusedTally {
  /** `<agreement>/<day>/refused/<instance>` */
  _id: string;
  kind: 'refused';
  agreementId: string;
  day: string;
  instance: string;
  refused: number;
  services: ServiceCounts;
  writtenAt: Date;
}

export type QuotaOutcome = { ok: true; limit: number; day: string } | { ok: false; reason: 'QUOTA_EXCEEDED'; limit: number; day: string };

/** The units of a block under a limit; 0 when the block lies past it. */
export function blockUnits(block: number, limit: number): number {
  return Math.max(0, Math.min(BLOCK_UNITS, limit - (block - 1) * BLOCK_UNITS));
}

interface HeldLease {
  doc: QuotaLease;
  used: number;
  services: ServiceCounts;
}

/** One agreement's day, as this instance sees it. */
interface DayState {
  agreementId: string;
  day: string;
  limit: number;
  held: HeldLease[];
  /** Lowest block that may still be free. */
  nextBlock: number;
  /** Every block up to the limit is leased (by anyone). */
  exhausted: boolean;
  claiming?: Promise<void> | undefined;
  refused: number;
  refusedServices: ServiceCounts;
  refusedDirty: boolean;
}

export class QuotaLeases {
  readonly instance = randomUUID();
  private readonly days = new Map<string, DayState>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly leases: Collection<QuotaDocument>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Takes `units` of the agreement's day, all or none; refused units are counted as refused. */
  async take(agreement: { id: string; quota: { dailyLimit: number } }, service: ServiceName, at: Date, units = 1): Promise<QuotaOutcome> {
    const state = this.state(agreement.id, localDay(at), agreement.quota.dailyLimit);
    const day = state.day;
    for (;;) {
      if (available(state) >= units) {
        consume(state, service, units);
        if (available(state) < CLAIM_AHEAD_UNITS && !state.exhausted) this.claimNext(state).catch(() => undefined); // retried by the next call that needs it
        return { ok: true, limit: state.limit, day };
      }
      if (state.exhausted) {
        state.refused += units;
        state.refusedServices[service] = (state.refusedServices[service] ?? 0) + units;
        state.refusedDirty = true;
        return { ok: false, reason: 'QUOTA_EXCEEDED', limit: state.limit, day };
      }
      await this.claimNext(state);
    }
  }

  /** Writes what the held leases used so far (the hub does so every FLUSH_MS by itself). */
  flush(): Promise<void> {
    return this.write(false);
  }

  /** Writes every held lease and tally as released; the hub calls this when it stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.write(true);
  }

  private state(agreementId: string, day: string, limit: number): DayState {
    const key = `${agreementId}/${day}`;
    let state = this.days.get(key);
    if (!state) {
      state = { agreementId, day, limit, held: [], nextBlock: 1, exhausted: false, refused: 0, refusedServices: {}, refusedDirty: false };
      this.days.set(key, state);
      this.timer ??= setInterval(() => void this.write(false).catch(() => undefined), FLUSH_MS).unref();
    }
    if (state.limit !== limit) {
      // A raised limit opens blocks past the old one; a lowered one applies to blocks not yet leased.
      state.exhausted &&= limit <= state.limit;
      state.limit = limit;
    }
    return state;
  }

  /** One claim at a time per agreement-day; callers that need units wait for it. */
  private claimNext(state: DayState): Promise<void> {
    state.claiming ??= this.claim(state).finally(() => {
      state.claiming = undefined;
    });
    return state.claiming;
  }

  private async claim(state: DayState): Promise<void> {
    for (;;) {
      const units = blockUnits(state.nextBlock, state.limit);
      if (units === 0) {
        state.exhausted = true;
        return;
      }
      const at = this.now();
      const doc: QuotaLease = {
        _id: `${state.agreementId}/${state.day}/${state.nextBlock}`,
        kind: 'lease',
        agreementId: state.agreementId,
        day: state.day,
        block: state.nextBlock,
        units,
        instance: this.instance,
        leasedAt: at,
        used: 0,
        services: {},
        writtenAt: at,
        released: false,
      };
      try {
        await this.leases.insertOne(doc);
        state.held.push({ doc, used: 0, services: {} });
        state.nextBlock += 1;
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        state.nextBlock = (await this.lastLeased(state, state.nextBlock)) + 1; // another instance got there first
      }
    }
  }

  /** The highest leased block, given one known leased: blocks are leased lowest-free-first. */
  private async lastLeased(state: DayState, known: number): Promise<number> {
    const leased = async (block: number) =>
      (await this.leases.findOne({ _id: `${state.agreementId}/${state.day}/${block}` }, { projection: { _id: 1 } })) !== null;
    let low = known;
    let step = 1;
    while (blockUnits(low + step, state.limit) > 0 && (await leased(low + step))) {
      low += step;
      step *= 2;
    }
    let high = low + step;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await leased(middle)) low = middle;
      else high = middle;
    }
    return low;
  }

  /** Writes what each held lease used (one writer per document); releases spent and past leases. */
  private write(closing: boolean): Promise<void> {
    // A failed write (the store away) must not stop the ones after it: they write the same counts, later.
    this.writing = this.writing.catch(() => undefined).then(() => this.writeNow(closing));
    return this.writing;
  }

  private async writeNow(closing: boolean): Promise<void> {
    const at = this.now();
    const today = localDay(at);
    for (const [key, state] of this.days) {
      const over = closing || state.day < today;
      for (const lease of [...state.held]) {
        const release = over || lease.used >= lease.doc.units;
        await this.leases.updateOne(
          { _id: lease.doc._id },
          { $set: { used: lease.used, services: { ...lease.services }, writtenAt: at, released: release } },
        );
        if (release) state.held.splice(state.held.indexOf(lease), 1);
      }
      if (state.refusedDirty) {
        state.refusedDirty = false;
        const _id = `${state.agreementId}/${state.day}/refused/${this.instance}`;
        const tally: RefusedTally = {
          _id,
          kind: 'refused',
          agreementId: state.agreementId,
          day: state.day,
          instance: this.instance,
          refused: state.refused,
          services: { ...state.refusedServices },
          writtenAt: at,
        };
        await this.leases.replaceOne({ _id }, tally, { upsert: true });
      }
      if (over) this.days.delete(key);
    }
  }
}

function available(state: DayState): number {
  return state.held.reduce((sum, lease) => sum + lease.doc.units - lease.used, 0);
}

/** Takes units from the oldest held leases first; the caller checked there are enough. */
function consume(state: DayState, service: ServiceName, units: number): void {
  let left = units;
  for (const lease of state.held) {
    const taken = Math.min(left, lease.doc.units - lease.used);
    if (taken === 0) continue;
    lease.used += taken;
    lease.services[service] = (lease.services[service] ?? 0) + taken;
    left -= taken;
    if (left === 0) return;
  }
}
