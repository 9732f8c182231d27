// The population store: citizens (one small document per personal id: each field's current
// version, written compare-and-set on its revision) and their history (R5: one record per
// accepted event, insert-only).
//
// Only what MongoDB and FerretDB both do well: no transactions, no change streams, and —
// because FerretDB's SQLite backend pushes only `_id` filters down to SQL and scans the whole
// collection for anything else — every read and conditional step is keyed by `_id`: `{_id}`,
// `{_id: {$in: [...]}}`, or `{_id, revision}` for the compare-and-set replace (the patched
// FerretDB of the local stack looks these up by its `_id` index; deploy/local/ferretdb-build.ts).
// The compare-and-set replace needs a store that applies a filtered replace to a document
// atomically: MongoDB does; FerretDB 1.24 queries, then writes, so the local stack's build locks the
// documents an update command names by `_id` (ID_LOCK_FIX), and a FerretDB without that is refused.
// Every write is an idempotent insert or replace keyed by personal id or event id, so a replayed
// batch converges to the same state.

import { type Collection, type Db, type Filter, MongoClient } from 'mongodb';
import pMap from 'p-map';
import { DancuError } from '../../errors/dancu-error.ts';
import type { CitizenDocument, HistoryEntry, HistoryRecord } from '../citizen/citizen-document.ts';
import { replayHistory } from '../citizen/merge.ts';
import { duplicatePositions } from './duplicate-key.ts';
import { decodeCitizen, encodeCitizen, type StoredCitizen } from './stored-citizen.ts';
import { decodeHistoryRecord, encodeHistoryRecord, type StoredHistoryRecord } from './stored-history.ts';

export interface StoreOptions {
  uri: string;
  database: string;
}

export const DEFAULT_DATABASE = 'dancu';

/** Single-document reads in flight at once (the rare reads of one history record or citizen each). */
const READ_CONCURRENCY = 16;

/**
 * Citizens per `{_id: {$in: [...]}}` read: one indexed query for all of them (MongoDB; FerretDB
 * with the local stack's fix, deploy/local/ferretdb-build.ts) instead of one round trip each.
 */
const READ_BATCH = 250;
const READ_BATCHES_AT_ONCE = 2;

/**
 * Replacements per update command. (A stock FerretDB 1.24.2 keeps each statement's cursor open
 * until the whole command ends and never answers a command replacing more than about sixty
 * existing documents; the local stack's build closes each at once, UPDATE_CURSOR_FIX.)
 */
export const REPLACE_BATCH = 50;

/**
 * Update commands in flight at once. FerretDB decodes, compares and encodes each replaced document
 * in Go, outside its write transaction; with four commands in flight that work overlaps SQLite's
 * writes of the others (the local stack's build writes one command's replacements in one
 * transaction, REPLACE_BATCH_FIX). Measured on the store path alone before that fix
 * (bench:ingest-steps, 60,000 events, 2 cores): 50 × 4 wrote 3,090 events/s, 25 × 6 2,978,
 * 50 × 3 2,937, 20 × 8 2,837, 25 × 2 2,584, 100 × 1 1,807.
 */
const REPLACE_CONCURRENCY = 4;

/** A citizen's document as merged from its stored `revision`: written as the next revision where the store still holds that one. */
export interface CitizenWrite {
  document: CitizenDocument;
}

export interface CitizenWriteOutcome {
  /** Citizens another writer wrote first (the store no longer holds the revision merged from). */
  conflicts: string[];
  /** The documents written, exactly as stored now. */
  written: Map<string, CitizenDocument>;
}

export class PopulationStore {
  /** Laid out as stored-citizen.ts says; read and write them through readCitizens / writeCitizens. */
  readonly citizens: Collection<StoredCitizen>;
  /** Laid out as stored-history.ts says; read and write them through readHistory / readHistoryRecords / appendHistory. */
  readonly history: Collection<StoredHistoryRecord>;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.citizens = db.collection<StoredCitizen>('citizens');
    this.history = db.collection<StoredHistoryRecord>('history');
  }

  static async open(options: StoreOptions): Promise<PopulationStore> {
    const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu' });
    await client.connect();
    const store = new PopulationStore(client, client.db(options.database));
    try {
      await store.requireAtomicUpdates();
      await store.ensureIndexes();
    } catch (error) {
      await client.close();
      throw error;
    }
    return store;
  }

  /** Refuses a store on which concurrent citizen writes could erase each other (unsafeStore). */
  private async requireAtomicUpdates(): Promise<void> {
    const refusal = unsafeStore(await this.db.admin().command({ buildInfo: 1 }));
    if (refusal) throw refusal;
  }

  private async ensureIndexes(): Promise<void> {
    // A citizen's history is read in time order by `citizen show` and, later, by consumers.
    await this.history.createIndex({ personalId: 1, effectiveAt: 1 }, { name: 'by_citizen_time' });
  }

  async readCitizens(ids: readonly string[]): Promise<Map<string, CitizenDocument>> {
    const found = await pMap(slices(ids, READ_BATCH), (batch) => this.citizens.find({ _id: { $in: batch } }).toArray(), {
      concurrency: READ_BATCHES_AT_ONCE,
    });
    return new Map(found.flat().map((doc) => [doc._id, decodeCitizen(doc)]));
  }

  async readCitizen(id: string): Promise<CitizenDocument | null> {
    const stored = await this.citizens.findOne({ _id: id });
    return stored && decodeCitizen(stored);
  }

  /** A citizen's history as people read it: what each event changed, derived from the stored records (merge.ts). */
  async readHistory(id: string): Promise<HistoryEntry[]> {
    return replayHistory(await this.readHistoryRecords({ personalId: id }));
  }

  /** The history records a filter on their top-level fields selects (`_id`, personalId, source, effectiveAt, …). */
  async readHistoryRecords(filter: Filter<StoredHistoryRecord>): Promise<HistoryRecord[]> {
    return (await this.history.find(filter).toArray()).map(decodeHistoryRecord);
  }

  /**
   * Appends history records, keyed by event id, in one unordered insert. Returns the records
   * already there for the ids that were refused as duplicates: the caller tells a redelivery
   * (same citizen, same digest) from a different event reusing the id. Nothing is ever replaced.
   */
  async appendHistory(records: readonly HistoryRecord[]): Promise<Map<string, HistoryRecord | null>> {
    const existing = new Map<string, HistoryRecord | null>();
    if (records.length === 0) return existing;
    try {
      await this.history.insertMany(records.map(encodeHistoryRecord), { ordered: false });
    } catch (error) {
      const duplicates = duplicatePositions(error);
      if (!duplicates) throw error;
      const ids = [...duplicates].map((index) => records[index]!._id);
      const stored = await pMap(ids, (id) => this.history.findOne({ _id: id }), { concurrency: READ_CONCURRENCY });
      for (const [index, id] of ids.entries()) {
        const record = stored[index];
        existing.set(id, record ? decodeHistoryRecord(record) : null);
      }
    }
    return existing;
  }

  /**
   * Compare-and-set for citizen documents: each is written as the revision after the one it was
   * merged from. A citizen's first document is inserted (the unique `_id` lets exactly one writer
   * win); a later one replaces the stored document only where it still holds the revision merged
   * from (`{_id, revision}`, applied atomically: see requireAtomicUpdates). Returns the ids another
   * writer got to first — the caller re-reads and merges those again — and the documents as written.
   */
  async writeCitizens(writes: readonly CitizenWrite[], batchId: string): Promise<CitizenWriteOutcome> {
    const conflicts: string[] = [];
    const written = new Map<string, CitizenDocument>();
    if (writes.length === 0) return { conflicts, written };
    const documents = writes.map(({ document }) => ({
      base: document.revision,
      document: { ...document, revision: document.revision + 1, lastBatchId: batchId },
    }));
    const lost = await this.writeDocuments(documents, batchId);
    for (const { document } of documents) {
      if (lost.has(document._id)) conflicts.push(document._id);
      else written.set(document._id, document);
    }
    return { conflicts, written };
  }

  /** Inserts first documents and replaces later ones where they still hold `base`, both at once; returns the ids that did not. */
  private async writeDocuments(writes: ReadonlyArray<{ base: number; document: CitizenDocument }>, batchId: string): Promise<Set<string>> {
    const lost = new Set<string>();
    const insertFirsts = async (firsts: StoredCitizen[]): Promise<void> => {
      if (firsts.length === 0) return;
      try {
        await this.citizens.insertMany(firsts, { ordered: false });
      } catch (error) {
        const duplicates = duplicatePositions(error);
        if (!duplicates) throw error;
        for (const index of duplicates) lost.add(firsts[index]!._id); // someone wrote it first (or we did, before a crash)
      }
    };
    const replaceSlice = async (slice: ReadonlyArray<{ base: number; document: CitizenDocument }>): Promise<void> => {
      const result = await this.citizens.bulkWrite(
        slice.map(({ base, document }) => ({
          replaceOne: { filter: { _id: document._id, revision: base }, replacement: encodeCitizen(document) },
        })),
        { ordered: false },
      );
      if (result.matchedCount === slice.length) return;
      // Which ones missed? The documents say who wrote them last.
      const now = await pMap(slice, ({ document }) => this.citizens.findOne({ _id: document._id }, { projection: { lastBatchId: 1 } }), {
        concurrency: READ_CONCURRENCY,
      });
      slice.forEach(({ document }, index) => {
        if (now[index]?.lastBatchId !== batchId) lost.add(document._id);
      });
    };
    await Promise.all([
      insertFirsts(writes.filter((write) => write.base === 0).map((write) => encodeCitizen(write.document))),
      pMap(
        slices(
          writes.filter((write) => write.base > 0),
          REPLACE_BATCH,
        ),
        replaceSlice,
        { concurrency: REPLACE_CONCURRENCY },
      ),
    ]);
    return lost;
  }

  /** Resolves when the server answers a ping. */
  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export type StoreErrorCode = 'store-unsupported';

export class StoreError extends DancuError<StoreErrorCode> {
  /** The store is not one the hub can write safely: running again against the same one cannot help. */
  readonly retryable = false;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Why the store that answered `buildInfo` with `info` cannot hold citizens safely, if it cannot: a
 * FerretDB that does not apply a filtered replace atomically (stock 1.24: a query, then a write), on
 * which two writers of the same citizen could both match `{_id, revision}` and the later would erase
 * the earlier's versions. MongoDB reports no `ferretdbVersion`; the local stack's build reports
 * `ferretdbFeatures.dancuAtomicIdUpdates` (deploy/local/ferretdb-build.ts, ID_LOCK_FIX).
 */
export function unsafeStore(info: {
  ferretdbVersion?: unknown;
  ferretdbFeatures?: { dancuAtomicIdUpdates?: unknown };
}): StoreError | undefined {
  if (info.ferretdbVersion === undefined || info.ferretdbFeatures?.dancuAtomicIdUpdates === true) return undefined;
  return new StoreError(
    'store-unsupported',
    `FerretDB ${String(info.ferretdbVersion)} does not apply a filtered replace atomically, so hub instances writing the same citizen could erase each other's versions; ` +
      'use MongoDB, or the FerretDB that `dancu stack up` builds (deploy/local/ferretdb-build.ts, ID_LOCK_FIX; ' +
      'a local stack started before 2026-12-02 runs an older build: `dancu stack down`, then `dancu stack up`)',
  );
}

/** `items` in runs of at most `size`, in order. */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
