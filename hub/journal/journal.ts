// The journal writer (R35): every connection, sharing and exploitation becomes an entry in an
// append-only hash chain, kept at least two years. Each hub instance writes a chain of its own
// (`chain`: its instance id), so instances never wait on each other; one-off writers share the
// shared chain (journal-chain.ts). A chain is registered in `journal_chains` with its first
// entries, so that `journal verify` notices one that disappeared whole.
//
// Group commit: appends that arrive while a write is in flight wait and go together in the next
// ordered insertMany, chained in arrival order; each caller's promise settles only when its
// batch is durable (or certainly not). Several writers may still append to the same chain (CLI
// commands on the shared one, or two hubs given the same instance id): the place in the chain is
// the document `_id`, so a lost race is a duplicate key, after which the batch is chained again on
// the true head. Without transactions (FerretDB has none) this is the whole
// concurrency control, and it only needs lookups by bare `_id`, which FerretDB serves from its index.
//
// Signed heads (signed-head.ts) chain the same way: a head's number is its `_id`, and an instance
// that lost the race for a number signs again after the true last head, or not at all when that
// head already vouches for a later entry. Each head is made durable in the store first, then
// published to the witness outside it (head-witness.ts); a head the witness could not take is
// published with the next one.

import { type KeyObject, randomUUID } from 'node:crypto';
import type { Collection, Db, WriteConcernSettings } from 'mongodb';
import { isDuplicateKey } from '../store/duplicate-key.ts';
import { GENESIS_HASH, sealEntry, withoutUndefined } from './hash-chain.ts';
import type { HeadWitness } from './head-witness.ts';
import { chainEntries, chainNameProblem, documentId, entryOrder, entryPlace, placeOf, SHARED_CHAIN } from './journal-chain.ts';
import { ensureJournalIndexes, type JournalCollections, journalCollections, readLastHead } from './journal-collections.ts';
import type { JournalEntry, JournalEntryInput, JournalReceipt, JournalWriter } from './journal-entry.ts';
import { JournalError, JournalUnavailable } from './journal-error.ts';
import { ed25519Problem } from './signed-document.ts';
import { type ChainHead, type HeadLink, linkOf, type SignedHead, sameHead, signHead } from './signed-head.ts';

export interface JournalOptions {
  /** The chain to append to: the hub instance's id; the shared chain when absent. */
  chain?: string;
  /** Calendar years an entry is kept; R35 asks for at least 2 (the default). */
  retentionYears?: number;
  /** The hub's Ed25519 private key; without it no chain head is signed. */
  signingKey?: KeyObject;
  /** Where signed heads are published besides the store; without it they stay in the store alone. */
  witness?: HeadWitness;
  /** How often the current head is signed (also at close). */
  headSigningIntervalMs?: number;
  /** Entries per insert at most. */
  maxBatch?: number;
}

export const MIN_RETENTION_YEARS = 2;

/**
 * How far a caller's `at` may be from the journal's clock. Entries are journaled as acts happen;
 * bounding this is what lets verifyJournal treat a large step back in time as reordering.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** A durable write: acknowledged by a majority and in the journal of the store's disk. */
const DURABLE: WriteConcernSettings = { w: 'majority', j: true };

/** FerretDB hangs on bulk commands of more than about sixty documents (see population-store.ts). */
const DEFAULT_MAX_BATCH = 50;

/** Lost races in a row before a batch gives up: others are appending faster than we can chain. */
const MAX_RACE_ROUNDS = 8;

/** The farthest step of the head search before it falls back to a sorted query (see findHead). */
const HEAD_SEARCH_MAX_STEP = 2 ** 30;

interface Pending {
  input: JournalEntryInput & { at: Date };
  resolve(receipt: JournalReceipt): void;
  reject(error: Error): void;
}

export class Journal implements JournalWriter {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  /** False after a failed write: the store may hold more than we know, so look before chaining. */
  private headKnown = true;
  /** The last signed head this instance knows of: the next head it signs follows it. */
  private lastHead: HeadLink;
  /** Signing one head at a time: the timer and close() may both ask. */
  private signing: Promise<void> = Promise.resolve();
  /** Heads durable in the store that the witness has not taken yet. */
  private readonly unwitnessed: SignedHead[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Written into every entry: see JournalEntry.writer. */
  private readonly writer = randomUUID();

  /** Whether this chain is known to be in `journal_chains`. */
  private registered = false;

  /** Entry inserts sent and the entries they held: how well appends are grouped (benchmarks, tests). */
  readonly writes = { inserts: 0, entries: 0 };

  private constructor(
    /** The journal's name to the witness: its database. */
    private readonly name: string,
    readonly chain: string,
    private readonly collections: JournalCollections,
    private head: ChainHead,
    lastHead: HeadLink,
    private readonly settings: Settings,
  ) {
    this.lastHead = lastHead;
  }

  private get entries(): Collection<JournalEntry> {
    return this.collections.entries;
  }

  private get heads(): Collection<SignedHead> {
    return this.collections.heads;
  }

  static async open(db: Db, options: JournalOptions = {}): Promise<Journal> {
    const settings = checkOptions(options);
    const collections = journalCollections(db);
    const { chain } = settings;
    try {
      await ensureJournalIndexes(collections);
      const [head, lastHead] = await Promise.all([readHead(collections.entries, chain), readLastHead(collections, chain)]);
      const journal = new Journal(db.databaseName, chain, collections, head, lastHead, settings);
      if (settings.signingKey) {
        journal.timer = setInterval(() => {
          // A missed signature costs nothing but time: the next tick or close() signs a later head.
          journal.signHead().catch(() => undefined);
        }, settings.headSigningIntervalMs);
        journal.timer.unref();
      }
      return journal;
    } catch (error) {
      throw new JournalUnavailable(`the journal in database ${db.databaseName} could not be opened: ${messageOf(error)}`, error);
    }
  }

  append(entry: JournalEntryInput): Promise<JournalReceipt> {
    if (this.closed) return Promise.reject(new JournalUnavailable('the journal is closed: open it again before acting'));
    const at = entry.at ?? new Date();
    const problem = entryProblem(at);
    if (problem) return Promise.reject(new JournalError('entry-invalid', problem, false));
    return new Promise((resolve, reject) => {
      this.queue.push({ input: withoutUndefined({ ...entry, at }), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Waits for the appends already made, signs the final head, and refuses further appends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.draining;
    await this.signHead();
  }

  /**
   * Signs the entry this instance last wrote or saw as the next head, unless a signed head already
   * vouches for it or a later one, then publishes the heads the witness does not hold yet.
   */
  signHead(): Promise<void> {
    const signed = this.signing.then(() => this.signNext());
    this.signing = signed.catch(() => undefined);
    return signed;
  }

  private async signNext(): Promise<void> {
    const key = this.settings.signingKey;
    const entry = this.head;
    if (!key) return;
    for (let round = 1; entry.sequence > this.lastHead.entry; round += 1) {
      const head = signHead(entry, this.lastHead, key, new Date(), this.chain);
      try {
        await this.heads.insertOne(head, { writeConcern: DURABLE });
        this.signed(head);
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Another instance took this head's number (or a retried write found our own): follow the
      // heads to the last.
      const nextHead = () => this.heads.findOne({ _id: documentId(this.chain, this.lastHead.sequence + 1) });
      for (let next = await nextHead(); next; next = await nextHead()) {
        if (sameHead(next, head)) this.signed(head);
        else this.lastHead = linkOf(next);
      }
      if (round >= MAX_RACE_ROUNDS) {
        throw new JournalUnavailable(`other hub instances signed heads ${round} times in a row while this one tried to`);
      }
    }
    await this.publishHeads();
  }

  /** A head of ours is durable in the store: the chain goes on from it, and the witness is owed it. */
  private signed(head: SignedHead): void {
    this.lastHead = linkOf(head);
    if (this.settings.witness) this.unwitnessed.push(head);
  }

  private async publishHeads(): Promise<void> {
    const witness = this.settings.witness;
    if (!witness || this.unwitnessed.length === 0) return;
    const heads = this.unwitnessed.slice();
    try {
      await witness.publish(this.name, heads);
    } catch (error) {
      const which = `${heads[0]!._id}…${heads.at(-1)!._id}`;
      const message = `signed heads ${which} are in the store but not yet in ${witness.where}: ${messageOf(error)}`;
      throw new JournalUnavailable(message, error);
    }
    this.unwitnessed.splice(0, heads.length);
  }

  private async drain(): Promise<void> {
    await null; // one microtask, so that a burst of appends made together joins the first batch
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.settings.maxBatch));
    this.draining = undefined;
  }

  /** Writes one batch and settles every caller in it; never throws. */
  private async commit(batch: Pending[]): Promise<void> {
    let pending = batch;
    try {
      for (let round = 1; ; round += 1) {
        if (!this.headKnown) {
          this.head = await this.findHead(this.head);
          this.headKnown = true;
        }
        const entries = chain(pending, this.head, this.chain, this.writer, this.settings.retentionYears);
        try {
          this.writes.inserts += 1;
          this.writes.entries += entries.length;
          await this.entries.insertMany(entries, { ordered: true, writeConcern: DURABLE });
          await this.register();
          settle(pending, entries);
          this.head = headOf(entries.at(-1)!);
          return;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const { durable, head } = await this.afterLostRace(entries);
        if (durable > 0) await this.register();
        settle(pending.slice(0, durable), entries);
        pending = pending.slice(durable);
        this.head = head;
        if (pending.length === 0) return;
        if (round >= MAX_RACE_ROUNDS) {
          throw new JournalUnavailable(
            `other hub instances appended to the journal ${round} times in a row while this one tried to; try again`,
          );
        }
      }
    } catch (error) {
      this.headKnown = false;
      const failure =
        error instanceof JournalUnavailable
          ? error
          : new JournalUnavailable(
              `the journal could not make ${pending.length} entr${pending.length === 1 ? 'y' : 'ies'} durable ` +
                `(${messageOf(error)}); the acts they record must be refused, not answered unlogged`,
              error,
            );
      for (const caller of pending) caller.reject(failure);
    }
  }

  /**
   * Records the chain in `journal_chains` once its first entries are durable (so it never names a
   * chain without entries, unless they were deleted). A chain already there is a duplicate key.
   */
  private async register(): Promise<void> {
    if (this.registered) return;
    try {
      await this.collections.chains.insertOne({ _id: this.chain, openedAt: new Date() }, { writeConcern: DURABLE });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    this.registered = true;
  }

  /**
   * After a duplicate key: which of our entries made it (an ordered insert keeps a prefix, and a
   * driver's retried write may find its own first attempt), and where the chain really ends now.
   * Compares hashes, which cover the whole entry, so key order in the store does not matter.
   */
  private async afterLostRace(entries: readonly JournalEntry[]): Promise<{ durable: number; head: ChainHead }> {
    let head = this.head;
    for (const [index, entry] of entries.entries()) {
      const stored = await this.entries.findOne({ _id: entry._id }, { projection: { hash: 1, at: 1, chain: 1, sequence: 1 } });
      if (!stored) return { durable: index, head };
      if (stored.hash !== entry.hash) return { durable: index, head: await this.findHead(headOf(stored)) };
      head = headOf(entry);
    }
    return { durable: entries.length, head };
  }

  /**
   * The last entry, searched forward from one known to exist by bare `_id` lookups, which
   * FerretDB serves from its index (a sort would scan the whole journal): steps doubling until
   * one misses, then halving between the last hit and that miss. Sequences have no gaps above
   * the start, so a few lookups find a head any number of entries away.
   */
  private async findHead(from: ChainHead): Promise<ChainHead> {
    const lookup = async (sequence: number) => {
      const entry = await this.entries.findOne(
        { _id: documentId(this.chain, sequence) },
        { projection: { hash: 1, at: 1, chain: 1, sequence: 1 } },
      );
      return entry ? headOf(entry) : undefined;
    };
    let head = from;
    let missing = 0;
    for (let step = 1; missing === 0; step *= 2) {
      if (step > HEAD_SEARCH_MAX_STEP) return readHead(this.entries, this.chain);
      const found = await lookup(head.sequence + step);
      if (found) head = found;
      else missing = head.sequence + step;
    }
    while (missing - head.sequence > 1) {
      const middle: number = head.sequence + Math.floor((missing - head.sequence) / 2);
      const found = await lookup(middle);
      if (found) head = found;
      else missing = middle;
    }
    return head;
  }
}

/** The chain's entry with the highest sequence, or the genesis before the first. */
async function readHead(entries: Collection<JournalEntry>, chain: string): Promise<ChainHead> {
  const [last] = await entries
    .find(chainEntries(chain), { projection: { hash: 1, at: 1, chain: 1, sequence: 1 } })
    .sort(entryOrder(chain, -1))
    .limit(1)
    .toArray();
  return last ? headOf(last) : { sequence: 0, hash: GENESIS_HASH, at: new Date(0) };
}

function chain(pending: readonly Pending[], head: ChainHead, name: string, writer: string, retentionYears: number): JournalEntry[] {
  let previous = head;
  return pending.map(({ input }) => {
    const expiresAt = addYears(input.at, retentionYears);
    const place = entryPlace(name, previous.sequence + 1);
    const entry = sealEntry({ ...place, ...input, expiresAt, writer, previousHash: previous.hash });
    previous = headOf(entry);
    return entry;
  });
}

function settle(callers: readonly Pending[], entries: readonly JournalEntry[]): void {
  for (const [index, caller] of callers.entries()) {
    const entry = entries[index]!;
    caller.resolve({ ...placeOf(entry), hash: entry.hash });
  }
}

function headOf(entry: Pick<JournalEntry, '_id' | 'chain' | 'sequence' | 'hash' | 'at'>): ChainHead {
  return { sequence: placeOf(entry).sequence, hash: entry.hash, at: entry.at };
}

/** Calendar years, in UTC: 29 February moves to 1 March, never earlier. */
export function addYears(at: Date, years: number): Date {
  const later = new Date(at.getTime());
  later.setUTCFullYear(later.getUTCFullYear() + years);
  return later;
}

type Settings = Required<Pick<JournalOptions, 'chain' | 'retentionYears' | 'headSigningIntervalMs' | 'maxBatch'>> &
  Pick<JournalOptions, 'signingKey' | 'witness'>;

function checkOptions(options: JournalOptions): Settings {
  const retentionYears = options.retentionYears ?? MIN_RETENTION_YEARS;
  if (!Number.isInteger(retentionYears) || retentionYears < MIN_RETENTION_YEARS) {
    throw new JournalError(
      'journal-misconfigured',
      `a journal retention of ${retentionYears} year(s) is refused: R35 requires every journal entry to be kept ` +
        `at least ${MIN_RETENTION_YEARS} years; set retentionYears to a whole number of ${MIN_RETENTION_YEARS} or more`,
      false,
    );
  }
  const headSigningIntervalMs = options.headSigningIntervalMs ?? 60_000;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  for (const [name, value] of [
    ['headSigningIntervalMs', headSigningIntervalMs],
    ['maxBatch', maxBatch],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new JournalError('journal-misconfigured', `the journal's ${name} must be a positive whole number, not ${value}`, false);
    }
  }
  const keyProblem = options.signingKey && ed25519Problem(options.signingKey, 'private');
  if (keyProblem) throw new JournalError('journal-misconfigured', `the journal's signing key is unusable: ${keyProblem}`, false);
  const chain = options.chain ?? SHARED_CHAIN;
  const chainProblem = chainNameProblem(chain);
  if (chainProblem) throw new JournalError('journal-misconfigured', chainProblem, false);
  return { chain, retentionYears, headSigningIntervalMs, maxBatch, signingKey: options.signingKey, witness: options.witness };
}

function entryProblem(at: Date): string | undefined {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) return `a journal entry's "at" must be a valid date, not ${String(at)}`;
  const skew = Math.abs(at.getTime() - Date.now());
  if (skew > MAX_CLOCK_SKEW_MS) {
    return (
      `a journal entry's "at" (${at.toISOString()}) is ${Math.round(skew / 1000)} s from the journal's clock; ` +
      `acts are journaled as they happen, within ${MAX_CLOCK_SKEW_MS / 60_000} minutes`
    );
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
