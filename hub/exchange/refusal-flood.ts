// Refusals are journaled like successes (R35), but a refusal costs the caller nothing: one
// certificate looping on refused calls would fill the journal and bury a real read under
// hundreds of refusals in a citizen's access log. So each certificate has a budget of refusals
// journaled one by one (`perCertificate` per `windowMs`); past it, its refusals are gathered for
// `aggregateMs` into one aggregated entry (action `RefusedCalls`, reason `REFUSAL_FLOOD`: how
// many, which services, reasons and agreements, between when and when, naming each citizen
// once), written sooner when it names `maxCitizens` citizens or holds `maxCalls` calls.
//
// Nothing is lost and nothing is answered early: a refused caller waits until the entry that
// holds its refusal is durable, as every caller does. Past its budget a certificate's refusals
// are so rate-limited to one journal entry per `aggregateMs`, however many calls it makes.
// In memory, per hub instance, like the abuse guard.
import { LRUCache } from 'lru-cache';
import type { JournalEntryInput, JournalReceipt, JournalWriter } from '../journal/journal-entry.ts';

export interface RefusalFloodOptions {
  /** Refusals of one certificate journaled one by one within `windowMs`. */
  perCertificate: number;
  windowMs: number;
  /** How long an aggregated entry gathers refusals before it is written. */
  aggregateMs: number;
  /** An aggregated entry names at most this many citizens (then the next one starts). */
  maxCitizens: number;
  /** An aggregated entry holds at most this many calls, bounding the callers waiting for it. */
  maxCalls: number;
}

export const DEFAULT_REFUSAL_FLOOD_OPTIONS: RefusalFloodOptions = {
  perCertificate: 60,
  windowMs: 60_000,
  aggregateMs: 1_000,
  maxCitizens: 100,
  maxCalls: 1_000,
};

/** The journal entry reason of an aggregated entry (never sent to a caller: each gets its own refusal). */
export const REFUSAL_FLOOD_REASON = 'REFUSAL_FLOOD';

interface Aggregate {
  first: JournalEntryInput;
  firstAt: Date;
  calls: number;
  counts: { actions: Map<string, number>; reasons: Map<string, number>; agreements: Map<string, number> };
  citizens: Set<string>;
  fields: Set<string>;
  waiters: { resolve: (receipt: JournalReceipt) => void; reject: (error: unknown) => void }[];
  timer: NodeJS.Timeout;
}

export class RefusalFlood {
  private readonly options: RefusalFloodOptions;
  /** Refusals journaled one by one per certificate in the current window. */
  private readonly budgets: LRUCache<string, { used: number }>;
  private readonly open = new Map<string, Aggregate>();
  private stopped = false;

  constructor(
    private readonly journal: JournalWriter,
    options: Partial<RefusalFloodOptions> = {},
  ) {
    this.options = { ...DEFAULT_REFUSAL_FLOOD_OPTIONS, ...options };
    this.budgets = new LRUCache({ max: 100_000, ttl: this.options.windowMs, noUpdateTTL: true });
  }

  /** Journals a refused call's entry — alone within the certificate's budget, else aggregated — and resolves once it is durable. */
  async append(certificate: string, entry: JournalEntryInput): Promise<JournalReceipt> {
    const budget = this.budgets.get(certificate) ?? { used: 0 };
    if (this.stopped) return this.journal.append(entry);
    if (budget.used < this.options.perCertificate && !this.open.has(certificate)) {
      budget.used += 1;
      this.budgets.set(certificate, budget);
      return this.journal.append(entry);
    }
    let aggregate = this.open.get(certificate);
    const newCitizens = aggregate ? entry.citizens.filter((citizen) => !aggregate!.citizens.has(citizen)).length : 0;
    if (aggregate && aggregate.citizens.size + newCitizens > this.options.maxCitizens) {
      void this.close(certificate);
      aggregate = undefined;
    }
    aggregate ??= this.start(certificate, entry);
    aggregate.calls += 1;
    count(aggregate.counts.actions, entry.action);
    count(aggregate.counts.reasons, entry.reason ?? 'UNKNOWN');
    if (entry.agreement) count(aggregate.counts.agreements, entry.agreement);
    for (const citizen of entry.citizens.slice(0, this.options.maxCitizens)) aggregate.citizens.add(citizen);
    for (const field of entry.fields) aggregate.fields.add(field);
    const durable = new Promise<JournalReceipt>((resolve, reject) => aggregate.waiters.push({ resolve, reject }));
    if (aggregate.calls >= this.options.maxCalls || aggregate.citizens.size >= this.options.maxCitizens) void this.close(certificate);
    return durable;
  }

  /** At shutdown: writes every open aggregate now, and journals later refusals one by one, so no caller waits on a window. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.open.keys()].map((certificate) => this.close(certificate)));
  }

  private start(certificate: string, entry: JournalEntryInput): Aggregate {
    const aggregate: Aggregate = {
      first: entry,
      firstAt: new Date(),
      calls: 0,
      counts: { actions: new Map(), reasons: new Map(), agreements: new Map() },
      citizens: new Set(),
      fields: new Set(),
      waiters: [],
      timer: setTimeout(() => void this.close(certificate), this.options.aggregateMs),
    };
    this.open.set(certificate, aggregate);
    return aggregate;
  }

  private async close(certificate: string): Promise<void> {
    const aggregate = this.open.get(certificate);
    if (!aggregate) return;
    this.open.delete(certificate);
    clearTimeout(aggregate.timer);
    const { first, counts } = aggregate;
    const agreements = [...counts.agreements.keys()];
    const budget = `past ${this.options.perCertificate} in ${Math.round(this.options.windowMs / 1000)} s`;
    const span = `from ${aggregate.firstAt.toISOString()} to ${new Date().toISOString()}`;
    const breakdown = [
      describe(counts.actions),
      describe(counts.reasons),
      ...(agreements.length > 1 ? [`agreements ${describe(counts.agreements)}`] : []),
    ];
    const entry: JournalEntryInput = {
      act: first.act,
      action: 'RefusedCalls',
      // The certificate is the constant; officers and case references vary call to call.
      actor: {
        ...(first.actor.system ? { system: first.actor.system } : {}),
        ...(first.actor.organisation ? { organisation: first.actor.organisation } : {}),
      },
      citizens: [...aggregate.citizens],
      fields: [...aggregate.fields],
      ...(agreements.length === 1 ? { agreement: agreements[0]! } : {}),
      decision: 'refused',
      reason: REFUSAL_FLOOD_REASON,
      detail: `${aggregate.calls} refused calls ${budget}, ${span}: ${breakdown.join('; ')}`.slice(0, 500),
    };
    try {
      const receipt = await this.journal.append(entry);
      for (const waiter of aggregate.waiters) waiter.resolve(receipt);
    } catch (error) {
      for (const waiter of aggregate.waiters) waiter.reject(error);
    }
  }
}

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function describe(counts: Map<string, number>): string {
  return [...counts].map(([key, n]) => `${key}×${n}`).join(', ');
}
