// The population store: citizens (one document per personal id) and their history (R5).
// Only operations that MongoDB and FerretDB both support: no transactions, no change streams.
// Every write is an idempotent upsert keyed by personal id or event id, so a replayed batch
// converges to the same state.
import { MongoClient, MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import type { CitizenDocument, HistoryEntry } from '../citizen/citizen-document.ts';

export interface StoreOptions {
  uri: string;
  database: string;
}

export const DEFAULT_DATABASE = 'dancu';

export class PopulationStore {
  readonly citizens: Collection<CitizenDocument>;
  readonly history: Collection<HistoryEntry>;

  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.citizens = db.collection<CitizenDocument>('citizens');
    this.history = db.collection<HistoryEntry>('history');
  }

  static async open(options: StoreOptions): Promise<PopulationStore> {
    const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu' });
    await client.connect();
    const store = new PopulationStore(client, client.db(options.database));
    await store.ensureIndexes();
    return store;
  }

  private async ensureIndexes(): Promise<void> {
    // A citizen's history is read newest-first by `citizen show` and, later, by consumers.
    await this.history.createIndex({ personalId: 1, effectiveAt: 1 }, { name: 'by_citizen_time' });
  }

  async readCitizens(ids: readonly string[]): Promise<Map<string, CitizenDocument>> {
    const found = await this.citizens.find({ _id: { $in: [...ids] } }).toArray();
    return new Map(found.map((doc) => [doc._id, doc]));
  }

  async readCitizen(id: string): Promise<CitizenDocument | null> {
    return this.citizens.findOne({ _id: id });
  }

  async readHistory(id: string): Promise<HistoryEntry[]> {
    return this.history.find({ personalId: id }).sort({ effectiveAt: 1, recordedAt: 1, _id: 1 }).toArray();
  }

  /** Idempotent: an entry is keyed by its event id and rewritten whole. */
  async writeHistory(entries: readonly HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.history.bulkWrite(
      entries.map((entry) => ({ replaceOne: { filter: { _id: entry._id }, replacement: entry, upsert: true } })),
      { ordered: false },
    );
  }

  /**
   * Compare-and-set: writes each citizen only if its `revision` is still the one it was read at,
   * bumping it and stamping `lastBatchId`. Returns the ids it could not write because another
   * writer got there first; the caller re-reads and re-merges those.
   *
   * The stamp, not the bulk write's error list, decides who won: FerretDB stops an unordered
   * bulk write at its first duplicate-key error and reports the wrong index for it.
   */
  async writeCitizens(documents: readonly CitizenDocument[], batchId: string): Promise<{ conflicts: string[] }> {
    if (documents.length === 0) return { conflicts: [] };
    // The filter names the revision we read; if another writer moved it, the upsert tries to
    // insert a second document with the same _id and fails with a duplicate key.
    const operations: AnyBulkWriteOperation<CitizenDocument>[] = documents.map((doc) => ({
      replaceOne: {
        filter: doc.revision === 0 ? { _id: doc._id, revision: { $exists: false } } : { _id: doc._id, revision: doc.revision },
        replacement: { ...doc, revision: doc.revision + 1, lastBatchId: batchId },
        upsert: true,
      },
    }));
    try {
      const result = await this.citizens.bulkWrite(operations, { ordered: false });
      if (result.matchedCount + result.upsertedCount === documents.length) return { conflicts: [] };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) || !isOnlyDuplicateKeys(error)) throw error;
    }
    const stored = await this.readCitizens(documents.map((doc) => doc._id));
    return { conflicts: documents.map((doc) => doc._id).filter((id) => stored.get(id)?.lastBatchId !== batchId) };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function isOnlyDuplicateKeys(error: MongoBulkWriteError): boolean {
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === 11000);
}
