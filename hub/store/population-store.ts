// The population store: citizens (one small document per personal id: each field's current
// version), their history (R5: one record per accepted event, insert-only), and the revision
// claims that keep concurrent writers from losing each other's updates.
//
// Only what MongoDB and FerretDB both do well: no transactions, no change streams, and —
// because FerretDB's SQLite backend pushes only `_id` filters down to SQL and scans the whole
// collection for anything else — every read and conditional step is keyed by `_id`: `{_id}`,
// `{_id: {$in: [...]}}`, or `{_id, revision}` for the compare-and-set replace (the patched
// FerretDB of the local stack looks these up by its `_id` index; deploy/local/ferretdb-build.ts).
// Every write is an idempotent insert or replace keyed by personal id or event id, so a replayed
// batch converges to the same state.

import { createHash } from 'node:crypto';
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

/** Single-document reads in flight at once (the rare reads of one history record or claim each). */
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

/** Claims deleted per command, and commands per sweep of expired claims at most (the next sweep goes on). */
const SWEEP_BATCH = 1_000;
const MAX_SWEEP_ROUNDS = 100;

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
  /** Laid out as stored-citizen.ts says; read and write them through readCitizens / writeCitizens. */
  readonly citizens: Collection<StoredCitizen>;
  /** Laid out as stored-history.ts says; read and write them through readHistory / readHistoryRecords / appendHistory. */
  readonly history: Collection<StoredHistoryRecord>;
  readonly claims: Collection<RevisionClaim>;
  private lastSweep = 0;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.citizens = db.collection<StoredCitizen>('citizens');
    this.history = db.collection<StoredHistoryRecord>('history');
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
   * Compare-and-set for citizen documents. A citizen's first document is inserted (the unique
   * `_id` lets exactly one writer win). A later revision first claims `<id>#<revision + 1>` by
   * inserting a claim (likewise), then replaces the document only where it still holds the
   * revision the write was merged from (`{_id, revision}`). Returns the ids another writer got
   * to first — the caller re-reads and merges those again — and the documents as written.
   *
   * A claim has served once its document is written: a writer still merging from an older
   * revision fails the `{_id, revision}` filter whether or not that claim exists. So a write's
   * claims are deleted as soon as its documents are (one `$in` delete per round), and those of
   * writers that died before that are swept once older than two leases: the collection holds
   * only the claims of writes in flight. A claim whose writer died (lease
   * expired, document still older) is skipped: the write claims the revision after it. A replay
   * of the same write (same base revision and events, e.g. a batch re-consumed after a crash)
   * may reuse its own claim.
   */
  async writeCitizens(writes: readonly CitizenWrite[], batchId: string): Promise<CitizenWriteOutcome> {
    if (writes.length === 0) return { conflicts: [], written: new Map() };
    const claimedAt = new Date();
    // A citizen's first document needs no claim: its insert is the compare-and-set (the unique
    // `_id` lets exactly one writer insert it; the others are sent back to read and merge). So
    // first documents are inserted while the later revisions are being claimed.
    const outcomes = await Promise.all([
      this.writeRevisions(
        writes.filter((write) => write.document.revision === 0).map((write) => ({ write, revision: 1 })),
        batchId,
      ),
      this.writeClaimed(
        writes.filter((write) => write.document.revision > 0),
        batchId,
        claimedAt,
      ),
    ]);
    await this.sweepClaims(claimedAt);
    return {
      conflicts: outcomes.flatMap((outcome) => outcome.conflicts),
      written: new Map(outcomes.flatMap((outcome) => [...outcome.written])),
    };
  }

  /** Claims each write's next revision, then writes those it won (see writeCitizens) and deletes its claims. */
  private async writeClaimed(writes: readonly CitizenWrite[], batchId: string, claimedAt: Date): Promise<CitizenWriteOutcome> {
    const pending = writes.map((write) => ({ write, claim: claimFor(write, write.document.revision + 1, batchId, claimedAt) }));
    const won: typeof pending = [];
    const conflicts: string[] = [];

    for (let round = 0; pending.length > 0; round += 1) {
      const claims = pending.map((entry) => entry.claim);
      let refused = new Set<number>();
      try {
        await this.claims.insertMany(claims, { ordered: false });
      } catch (error) {
        const duplicates = duplicatePositions(error);
        if (!duplicates) throw error;
        refused = duplicates;
      }
      const retry: typeof pending = [];
      const taken = [...refused].map((index) => pending[index]!);
      const stored = await pMap(taken, (entry) => this.claims.findOne({ _id: entry.claim._id }), { concurrency: READ_CONCURRENCY });
      pending.forEach((entry, index) => {
        if (!refused.has(index)) won.push(entry);
      });
      for (const [index, entry] of taken.entries()) {
        const existing = stored[index];
        if (!existing) {
          retry.push(entry); // deleted since: its write is done, so ours will meet the filter
          continue;
        }
        if (existing.batchId === batchId || existing.fingerprint === entry.claim.fingerprint) {
          won.push(entry);
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

    if (won.length === 0) return { conflicts, written: new Map() };
    // A writer that stalled past its own lease may have been skipped; writing now could race
    // the writer that skipped it, so it gives up and the batch is retried.
    if (Date.now() - claimedAt.getTime() > CLAIM_LEASE_MS / 2) {
      throw new StoreError('lease-expired', `the claims of batch ${batchId} are older than half their lease; retry the batch`);
    }
    const outcome = await this.writeRevisions(
      won.map(({ write, claim }) => ({ write, revision: claim.revision })),
      batchId,
    );
    await this.deleteClaims(won.map(({ claim }) => claim._id));
    return { conflicts: [...conflicts, ...outcome.conflicts], written: outcome.written };
  }

  /** Writes each document as revision `revision`: its conflicts are the writes that did not hold (writeDocuments). */
  private async writeRevisions(
    writes: ReadonlyArray<{ write: CitizenWrite; revision: number }>,
    batchId: string,
  ): Promise<CitizenWriteOutcome> {
    const conflicts: string[] = [];
    const written = new Map<string, CitizenDocument>();
    if (writes.length === 0) return { conflicts, written };
    const documents = writes.map(({ write, revision }) => ({
      base: write.document.revision,
      document: { ...write.document, revision, lastBatchId: batchId },
    }));
    const lost = await this.writeDocuments(documents, batchId);
    for (const { document } of documents) {
      if (lost.has(document._id)) conflicts.push(document._id);
      else written.set(document._id, document);
    }
    return { conflicts, written };
  }

  /** Inserts first documents and replaces later ones where they still hold `base`; returns the ids that did not. */
  private async writeDocuments(writes: ReadonlyArray<{ base: number; document: CitizenDocument }>, batchId: string): Promise<Set<string>> {
    const lost = new Set<string>();
    const firsts = writes.filter((write) => write.base === 0).map((write) => encodeCitizen(write.document));
    if (firsts.length > 0) {
      try {
        await this.citizens.insertMany(firsts, { ordered: false });
      } catch (error) {
        const duplicates = duplicatePositions(error);
        if (!duplicates) throw error;
        for (const index of duplicates) lost.add(firsts[index]!._id); // someone wrote it first (or we did, before a crash)
      }
    }
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
    await pMap(
      slices(
        writes.filter((write) => write.base > 0),
        REPLACE_BATCH,
      ),
      replaceSlice,
      { concurrency: REPLACE_CONCURRENCY },
    );
    return lost;
  }

  /**
   * Deletes the claims older than two leases (left by writers that died mid-write), at most once
   * a lease, SWEEP_BATCH at a time: FerretDB deletes what a filter matched with one SQL statement
   * naming every id, which SQLite refuses past 32,766 ids ("too many SQL variables").
   */
  private async sweepClaims(now: Date): Promise<void> {
    if (now.getTime() - this.lastSweep < CLAIM_LEASE_MS) return;
    this.lastSweep = now.getTime();
    const expired = { claimedAt: { $lt: new Date(now.getTime() - 2 * CLAIM_LEASE_MS) } };
    for (let round = 0; round < MAX_SWEEP_ROUNDS; round += 1) {
      const ids = (
        await this.claims
          .find(expired, { projection: { _id: 1 } })
          .limit(SWEEP_BATCH)
          .toArray()
      ).map((claim) => claim._id);
      await this.deleteClaims(ids);
      if (ids.length < SWEEP_BATCH) return;
    }
  }

  /** Deletes claims by `_id`, SWEEP_BATCH per command (SQLite's limit on one statement's variables, above). */
  private async deleteClaims(ids: readonly string[]): Promise<void> {
    for (const batch of slices(ids, SWEEP_BATCH)) await this.claims.deleteMany({ _id: { $in: batch } });
  }

  /** Resolves when the server answers a ping. */
  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export class StoreError extends DancuError<'lease-expired'> {
  /** The batch's claims lapsed: running the batch again claims afresh. */
  readonly retryable = true;

  constructor(
    readonly code: 'lease-expired',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** `items` in runs of at most `size`, in order. */
export function slices<T>(items: readonly T[], size: number): T[][] {
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
