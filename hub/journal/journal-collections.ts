// Where the journal lives in the store, and the indexes planned for it up front.
import type { Collection, Db } from 'mongodb';
import { chainEntries, chainHeads, headOrder, type JournalChainRecord, SHARED_CHAIN } from './journal-chain.ts';
import type { JournalEntry } from './journal-entry.ts';
import { type RetentionRecord, startAfter } from './retention-record.ts';
import { type HeadLink, linkOf, type SignedHead } from './signed-head.ts';

export const ENTRIES_COLLECTION = 'journal';
/**
 * The chain of signed heads. Earlier versions kept unchained heads, numbered by entry, in
 * `journal_heads`; that collection is no longer read (it may be dropped), and a journal that had
 * one starts its chain of heads at head 1 for whatever entry it first signs.
 */
export const HEADS_COLLECTION = 'journal_head_chain';
export const RETENTION_COLLECTION = 'journal_retention';
/** Every chain that ever held entries, so that `journal verify` sees one whose entries went missing. */
export const CHAINS_COLLECTION = 'journal_chains';

export interface JournalCollections {
  entries: Collection<JournalEntry>;
  heads: Collection<SignedHead>;
  retention: Collection<RetentionRecord>;
  chains: Collection<JournalChainRecord>;
}

export function journalCollections(db: Db): JournalCollections {
  return {
    entries: db.collection<JournalEntry>(ENTRIES_COLLECTION),
    heads: db.collection<SignedHead>(HEADS_COLLECTION),
    retention: db.collection<RetentionRecord>(RETENTION_COLLECTION),
    chains: db.collection<JournalChainRecord>(CHAINS_COLLECTION),
  };
}

/** The index on `expiresAt`; earlier versions made it a TTL index. */
const EXPIRY_INDEX = 'retention';

/**
 * The expiry index serves the retention job (remove-expired.ts); the others serve "who read this
 * citizen" (R8/R39), per-system and per-agreement audits, and the operator's recent view.
 * The store must never delete entries by itself: a TTL index would remove them without the signed
 * retention record `journal verify` needs, so one left by an earlier version is replaced.
 */
export async function ensureJournalIndexes({ entries }: Pick<JournalCollections, 'entries'>): Promise<void> {
  const existing = await entries
    .listIndexes()
    .toArray()
    .catch(() => []);
  const expiry = existing.find((index) => index.name === EXPIRY_INDEX);
  if (expiry && expiry.expireAfterSeconds !== undefined) await entries.dropIndex(EXPIRY_INDEX);
  await entries.createIndex({ expiresAt: 1 }, { name: EXPIRY_INDEX });
  await entries.createIndex({ citizens: 1, at: -1 }, { name: 'by_citizen_time' });
  await entries.createIndex({ 'actor.system': 1, at: -1 }, { name: 'by_system_time' });
  await entries.createIndex({ agreement: 1, at: -1 }, { name: 'by_agreement_time' });
  await entries.createIndex({ at: -1 }, { name: 'by_time' });
  await entries.createIndex({ chain: 1, sequence: 1 }, { name: 'by_chain' });
}

/** The record that removed the most of a chain's entries, if retention ever ran on it. */
export async function latestRetentionRecord(
  { retention }: Pick<JournalCollections, 'retention'>,
  chain = SHARED_CHAIN,
): Promise<RetentionRecord | undefined> {
  const [latest] = await retention.find({ chain }).sort({ through: -1 }).limit(1).toArray();
  return latest;
}

/** Where a chain's chain of heads ends in the store: its last head, else where retention left it. */
export async function readLastHead(collections: Pick<JournalCollections, 'heads' | 'retention'>, chain = SHARED_CHAIN): Promise<HeadLink> {
  const [last] = await collections.heads.find(chainHeads(chain)).sort(headOrder(chain, -1)).limit(1).toArray();
  return last ? linkOf(last) : startAfter(await latestRetentionRecord(collections, chain)).head;
}

/**
 * Every chain the store knows of: registered, holding entries, heads or retention records. The
 * shared chain is among them when any document of it is there.
 */
export async function knownChains(collections: JournalCollections): Promise<string[]> {
  const { entries, heads, retention, chains } = collections;
  const [registered, withEntries, shared, withHeads, retained] = await Promise.all([
    chains.find({}, { projection: { _id: 1 } }).toArray(),
    entries.distinct('chain'),
    entries.findOne(chainEntries(SHARED_CHAIN), { projection: { _id: 1 } }),
    heads.distinct('chain'),
    retention.distinct('chain'),
  ]);
  const names = [...registered.map((chain) => chain._id), ...withEntries, ...withHeads, ...retained];
  if (shared) names.push(SHARED_CHAIN);
  return [...new Set(names.filter((name): name is string => typeof name === 'string'))].sort();
}
