// Where the journal lives in the store, and the indexes planned for it up front.
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { JournalEntry } from './journal-entry.ts';
import type { SignedHead } from './signed-head.ts';

export const ENTRIES_COLLECTION = 'journal';
export const HEADS_COLLECTION = 'journal_heads';

export interface JournalCollections {
  entries: Collection<JournalEntry>;
  heads: Collection<SignedHead>;
}

export function journalCollections(db: Db): JournalCollections {
  return { entries: db.collection<JournalEntry>(ENTRIES_COLLECTION), heads: db.collection<SignedHead>(HEADS_COLLECTION) };
}

export interface IndexReport {
  /** False where the store refused a TTL index (FerretDB 1.24): expired entries then stay until swept. */
  ttl: boolean;
}

/**
 * The TTL index lets the store delete entries once their retention has passed; the others
 * serve "who read this citizen" (R8/R39), per-system and per-agreement audits, and the
 * operator's recent view. FerretDB 1.24 answers `NotImplemented` to `expireAfterSeconds`:
 * then a plain index on `expiresAt` is kept, so a sweeper can find expired entries.
 */
export async function ensureJournalIndexes({ entries }: JournalCollections): Promise<IndexReport> {
  let ttl = true;
  try {
    await entries.createIndex({ expiresAt: 1 }, { name: 'retention', expireAfterSeconds: 0 });
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
    ttl = false;
    await entries.createIndex({ expiresAt: 1 }, { name: 'retention' });
  }
  await entries.createIndex({ citizens: 1, at: -1 }, { name: 'by_citizen_time' });
  await entries.createIndex({ 'actor.system': 1, at: -1 }, { name: 'by_system_time' });
  await entries.createIndex({ agreement: 1, at: -1 }, { name: 'by_agreement_time' });
  await entries.createIndex({ at: -1 }, { name: 'by_time' });
  return { ttl };
}

const NOT_IMPLEMENTED = 238;
