// The population store: citizens (one document per personal id), their history (R5), and the
// revision claims that keep concurrent writers from losing each other's updates.
//
// Only what MongoDB and FerretDB both do well: no transactions, no change streams, and —
// because FerretDB's SQLite backend pushes only a bare `{ _id: value }` filter down to SQL and
// scans the whole collection for anything else — every read and conditional step is keyed by
// `_id` alone. Every write is an idempotent insert or replace keyed by personal id or event id,
// so a replayed batch converges to the same state.
import { onlyDuplicateKeys } from './duplicate-key.ts';
import { createHash } from 'node:crypto';
import { MongoClient, type Collection, type Db } from 'mongodb';
import pMap from 'p-map';
import type { CitizenDocument, HistoryEntry } from '../citizen/citizen-document.ts';

export interface StoreOptions {
  uri: string;
  database: string;
}

export const DEFAULT_DATABASE = 'dancu';

/** Single-document reads in flight at once (one round trip each, see the header). */
const READ_CONCURRENCY = 16;

/**
 * Replacements per update command. FerretDB 1.24.2 keeps each matched document's cursor open
 * until the whole command ends (a `defer` inside its per-update loop), so a command replacing
 * more than about sixty existing documents exhausts its SQLite connection pool and never
 * answers. Small commands avoid that and cost MongoDB nothing measurable.
 */
const REPLACE_BATCH = 50;

/**
 * A claim on a citizen's next revision is a lease: if its writer has not written the document
 * within this time, it is taken to have died and the revision is skipped. A writer that finds
 * its own claim this old does not write at all (see writeCitizens).
 */
export const CLAIM_LEASE_MS = 15_000;

/** `<personal id>#<revision>`: inserting it is the compare-and-set (the unique `_id` decides). */
export interface RevisionClaim {
  _id: string;
  personalId: string;
  revision: number;
  /** Same base revision and same events: a replay of the same write, which may go ahead. */
  fingerprint: string;
  batchId: string;
  claimedAt: Date;
}

/** A document to write, the revision it was merged from, and the events merged into it. */
export interface CitizenWrite {
  document: CitizenDocument;
  eventIds: Iterable<string>;
}

export interface CitizenWriteOutcome {
  /** Citizens whose next revision another writer claimed first. */
  conflicts: string[];
  /** The documents written, exactly as stored now. */
  written: Map<string, CitizenDocument>;
}

export class PopulationStore {
  readonly citizens: Collection<CitizenDocument>;
  readonly history: Collection<HistoryEntry>;
  readonly claims: Collection<RevisionClaim>;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.citizens = db.collection<CitizenDocument>('citizens');
    this.history = db.collection<HistoryEntry>('history');
    this.claims = db.collection<RevisionClaim>('revision_claims');
  }

  static async open(options: StoreOptions): Promise<PopulationStore> {
    const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu' });
    await client.connect();
    const store = new PopulationStore(client, client.db(options.database));
    await store.ensureIndexes();
    return store;
  }

  private async ensureIndexes(): Promise<void> {
    // A citizen's history is read in time order by `citizen show` and, later, by consumers.
    await this.history.createIndex({ personalId: 1, effectiveAt: 1 }, { name: 'by_citizen_time' });
  }

  async readCitizens(ids: readonly string[]): Promise<Map<string, CitizenDocument>> {
    const found = await pMap(ids, (id) => this.citizens.findOne({ _id: id }), { concurrency: READ_CONCURRENCY });
    return new Map(found.filter((doc) => doc !== null).map((doc) => [doc._id, doc]));
  }

  async readCitizen(id: string): Promise<CitizenDocument | null> {
    return this.citizens.findOne({ _id: id });
  }

  async readHistory(id: string): Promise<HistoryEntry[]> {
    return this.history.find({ personalId: id }).sort({ effectiveAt: 1, recordedAt: 1, _id: 1 }).toArray();
  }

  /**
   * Writes history entries, keyed by event id. New entries are inserted in one batch; if some
   * already exist (a replayed batch) or were revised (an older event arrived late and moved
   * their `previous` / `outcome`), they are replaced whole, which is idempotent.
   *
   * A new entry whose id the history already holds for another citizen or with another digest
   * is a different event reusing the id: it is not written, and its id is returned so that the
   * caller refuses the event (the entry stored first stands).
   */
  async writeHistory(fresh: readonly HistoryEntry[], revised: readonly HistoryEntry[]): Promise<Set<string>> {
    let replace = [...revised];
    const clashes = new Set<string>();
    if (fresh.length > 0) {
      try {
        await this.history.insertMany([...fresh], { ordered: false });
      } catch (error) {
        if (!onlyDuplicateKeys(error)) throw error;
        // FerretDB stops an unordered insert at its first duplicate, so which entries made it
        // is unknown: read them back, and replace those that are this event's own.
        const stored = await pMap(fresh, (entry) => this.history.findOne({ _id: entry._id }), { concurrency: READ_CONCURRENCY });
        fresh.forEach((entry, index) => {
          const existing = stored[index];
          if (existing && !sameEvent(existing, entry)) clashes.add(entry._id);
          else replace.push(entry);
        });
      }
    }
    for (const slice of slices(replace, REPLACE_BATCH)) {
      await this.history.bulkWrite(
        slice.map((entry) => ({ replaceOne: { filter: { _id: entry._id }, replacement: entry, upsert: true } })),
        { ordered: false },
      );
    }
    return clashes;
  }

  /**
   * Compare-and-set for citizen documents. Each write first claims `<id>#<revision + 1>` by
   * inserting a claim (the unique `_id` lets exactly one writer win), then replaces the
   * document (inserting it when it is the citizen's first). Returns the ids whose revision
   * another writer claimed first — the caller re-reads and merges those again — and the
   * documents as written.
   *
   * A claim whose writer died before writing (lease expired, document still older) is skipped:
   * the write claims the revision after it. A replay of the same write (same base revision and
   * events, e.g. a batch re-consumed after a crash) may reuse its own claim.
   */
  async writeCitizens(writes: readonly CitizenWrite[], batchId: string): Promise<CitizenWriteOutcome> {
    if (writes.length === 0) return { conflicts: [], written: new Map() };
    const claimedAt = new Date();
    const pending = writes.map((write) => ({ write, claim: claimFor(write, write.document.revision + 1, batchId, claimedAt) }));
    const won: typeof pending = [];
    const conflicts: string[] = [];

    for (let round = 0; pending.length > 0; round += 1) {
      const claims = pending.map((entry) => entry.claim);
      let allInserted = true;
      try {
        await this.claims.insertMany(claims, { ordered: false });
      } catch (error) {
        if (!onlyDuplicateKeys(error)) throw error;
        allInserted = false;
      }
      if (allInserted) {
        won.push(...pending.splice(0));
        break;
      }
      // Which claims are ours? FerretDB's error report cannot say (see writeHistory), so read them.
      const stored = await pMap(claims, (claim) => this.claims.findOne({ _id: claim._id }), { concurrency: READ_CONCURRENCY });
      const retry: typeof pending = [];
      for (const [index, entry] of pending.entries()) {
        const existing = stored[index];
        if (!existing || existing.batchId === batchId || existing.fingerprint === entry.claim.fingerprint) {
          if (!existing) retry.push(entry);
          else won.push(entry);
          continue;
        }
        const leaseExpired = claimedAt.getTime() - existing.claimedAt.getTime() > CLAIM_LEASE_MS;
        if (leaseExpired && round < 3) {
          const current = await this.citizens.findOne({ _id: entry.write.document._id }, { projection: { revision: 1 } });
          if ((current?.revision ?? 0) < existing.revision) {
            retry.push({ write: entry.write, claim: claimFor(entry.write, existing.revision + 1, batchId, claimedAt) });
            continue;
          }
        }
        conflicts.push(entry.write.document._id);
      }
      pending.splice(0, pending.length, ...retry);
    }

    const written = new Map<string, CitizenDocument>();
    if (won.length === 0) return { conflicts, written };
    // A writer that stalled past its own lease may have been skipped; writing now could
    // overwrite a newer revision, so it gives up and the batch is retried.
    if (Date.now() - claimedAt.getTime() > CLAIM_LEASE_MS / 2) {
      throw new StoreError('lease-expired', `the claims of batch ${batchId} are older than half their lease; retry the batch`);
    }
    for (const { write, claim } of won) written.set(claim.personalId, { ...write.document, revision: claim.revision, lastBatchId: batchId });
    // First documents are inserted (cheap); later revisions replace the document by _id.
    const firsts = [...written.values()].filter((doc) => doc.revision === 1);
    let replace = [...written.values()].filter((doc) => doc.revision !== 1);
    if (firsts.length > 0) {
      try {
        await this.citizens.insertMany(firsts, { ordered: false });
      } catch (error) {
        if (!onlyDuplicateKeys(error)) throw error;
        replace = [...firsts, ...replace]; // a replay after a crash: the documents are there
      }
    }
    for (const slice of slices(replace, REPLACE_BATCH)) {
      await this.citizens.bulkWrite(
        slice.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
        { ordered: false },
      );
    }
    return { conflicts, written };
  }

  /** Resolves when the server answers a ping. */
  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export class StoreError extends Error {
  constructor(
    readonly code: 'lease-expired',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Whether a stored history entry records the same event as a new one (digests compared where both have one). */
function sameEvent(stored: HistoryEntry, entry: HistoryEntry): boolean {
  if (stored.personalId !== entry.personalId) return false;
  return stored.digest === undefined || entry.digest === undefined || stored.digest === entry.digest;
}

function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function claimFor(write: CitizenWrite, revision: number, batchId: string, claimedAt: Date): RevisionClaim {
  const personalId = write.document._id;
  const fingerprint = createHash('sha256')
    .update(`${personalId}@${write.document.revision}:${[...write.eventIds].sort().join(',')}`)
    .digest('base64url');
  return { _id: `${personalId}#${revision}`, personalId, revision, fingerprint, batchId, claimedAt };
}

