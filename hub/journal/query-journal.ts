// Reads the journal newest first, filtered by entry, citizen, system, agreement and time: the
// operator's audit view, and later the citizen's "who read my data" (R8/R39).
//
// On MongoDB the filters are served by the indexes planned in journal-collections.ts; FerretDB
// scans the collection for any filter but a bare `_id`, so there the cost grows with the journal.
import type { Db, Filter } from 'mongodb';
import { documentId } from './journal-chain.ts';
import { journalCollections } from './journal-collections.ts';
import type { JournalAct, JournalEntry } from './journal-entry.ts';

export interface JournalQuery {
  /** The one entry with this place (as quoted to people: `<chain>:<sequence>`, see entryReference). */
  entry?: { chain: string; sequence: number };
  /** Entries about this citizen (personal id). */
  citizen?: string;
  /** Entries by this connected system. */
  system?: string;
  /** Entries under this connection agreement. */
  agreement?: string;
  /** Entries of this kind (or these kinds) of act only (e.g. `exchange`: who read a citizen's data). */
  act?: JournalAct | JournalAct[];
  /** From this time on (inclusive). */
  since?: Date;
  /** Before this time (exclusive). */
  until?: Date;
  /** At most this many entries: 100 unless given, never more than MAX_QUERY_LIMIT. */
  limit?: number;
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1_000;

export async function queryJournal(db: Db, query: JournalQuery = {}): Promise<JournalEntry[]> {
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`a journal query's limit must be a whole number from 1 to ${MAX_QUERY_LIMIT}, not ${limit}`);
  }
  return journalCollections(db).entries.find(journalFilter(query)).sort({ at: -1, _id: -1 }).limit(limit).toArray();
}

export function journalFilter(query: JournalQuery): Filter<JournalEntry> {
  const filter: Filter<JournalEntry> = {};
  if (query.entry !== undefined) filter._id = documentId(query.entry.chain, query.entry.sequence);
  if (query.citizen !== undefined) filter.citizens = query.citizen;
  if (query.system !== undefined) filter['actor.system'] = query.system;
  if (query.agreement !== undefined) filter.agreement = query.agreement;
  if (query.act !== undefined) filter.act = Array.isArray(query.act) ? { $in: query.act } : query.act;
  if (query.since !== undefined || query.until !== undefined) {
    filter.at = { ...(query.since ? { $gte: query.since } : {}), ...(query.until ? { $lt: query.until } : {}) };
  }
  return filter;
}
