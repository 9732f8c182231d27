// The journal's retention job (R35): removes the entries whose retention (at least two years) has
// passed, and the signed heads for them, in the only way `journal verify` accepts — under a signed
// retention record, written before anything is deleted. Each chain (journal-chain.ts) has its own
// records; the job runs over every chain, in order:
//   1. verify the journal as it is: the hub's signature must never vouch for a tampered chain;
//   2. find the last entry to remove: every entry up to it has expired, and the newest entry is
//      always kept, since the chain goes on from it;
//   3. sign and store the retention record (a repeated run finds its own record: a duplicate key);
//   4. journal the removal itself (act `retention`);
//   5. delete the heads and the entries the record covers.
// A run stopped after step 3 leaves entries the record already covers; verify skips them and the
// next run deletes them. The store never deletes entries by itself (journal-collections.ts).
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Db } from 'mongodb';
import { isDuplicateKey } from '../store/duplicate-key.ts';
import type { HeadWitness } from './head-witness.ts';
import { chainEntries, chainHeads, chainLabel, documentId, entryOrder, headOrder, placeOf } from './journal-chain.ts';
import { type JournalCollections, journalCollections, knownChains, latestRetentionRecord } from './journal-collections.ts';
import type { JournalWriter } from './journal-entry.ts';
import { JournalError } from './journal-error.ts';
import { type RetentionRecord, signRetentionRecord, startAfter } from './retention-record.ts';
import { linkOf } from './signed-head.ts';
import { verifyJournal } from './verify-journal.ts';

export interface RemoveExpiredOptions {
  /** The hub's Ed25519 private key: the retention record is signed with it. */
  signingKey: KeyObject;
  /** Where the removal is journaled. */
  journal: JournalWriter;
  /** Who asked for it (an operator), for the journal entry. */
  officer?: string;
  /** Checked with the journal before anything is signed. */
  witness?: HeadWitness;
  now?: Date;
}

export interface RetentionOutcome {
  /** The records in force afterwards, one per chain retention ever ran on. */
  records: RetentionRecord[];
  /** Entries and heads deleted by this run, over every chain. */
  deleted: { entries: number; heads: number };
}

export async function removeExpiredEntries(db: Db, options: RemoveExpiredOptions): Promise<RetentionOutcome> {
  const collections = journalCollections(db);
  const verdict = await verifyJournal(db, {
    publicKey: createPublicKey(options.signingKey),
    ...(options.witness ? { witness: options.witness } : {}),
  });
  if (verdict.firstBad) {
    const { sequence, problem, detail } = verdict.firstBad;
    throw new JournalError(
      'journal-tampered',
      `retention refused: the journal does not verify (${chainLabel(verdict.firstBad.chain)}, entry ${sequence} ${problem}: ${detail}); find out what happened before removing anything`,
      false,
    );
  }
  const outcome: RetentionOutcome = { records: [], deleted: { entries: 0, heads: 0 } };
  for (const chain of await knownChains(collections)) {
    const { record, deleted } = await removeFromChain(collections, chain, options);
    if (record) outcome.records.push(record);
    outcome.deleted.entries += deleted.entries;
    outcome.deleted.heads += deleted.heads;
  }
  return outcome;
}

async function removeFromChain(
  collections: JournalCollections,
  chain: string,
  options: RemoveExpiredOptions,
): Promise<{ record?: RetentionRecord; deleted: RetentionOutcome['deleted'] }> {
  const { entries, heads, retention } = collections;
  let record = await latestRetentionRecord(collections, chain);
  const through = await lastExpired(collections, chain, record?.through ?? 0, options.now ?? new Date());
  if (through !== undefined) {
    const stored = await entries.findOne({ _id: documentId(chain, through) }, { projection: { hash: 1, at: 1, chain: 1, sequence: 1 } });
    const last = { sequence: placeOf(stored!).sequence, hash: stored!.hash, at: stored!.at };
    const [lastHead] = await heads
      .find({ ...chainHeads(chain), entry: { $lte: through } })
      .sort(headOrder(chain, -1))
      .limit(1)
      .toArray();
    const previous = lastHead ? linkOf(lastHead) : startAfter(record).head;
    const signed = signRetentionRecord(last, previous, options.signingKey, new Date(), chain);
    try {
      await retention.insertOne(signed, { writeConcern: { w: 'majority', j: true } });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    record = signed;
    await options.journal.append({
      act: 'retention',
      action: 'remove-expired',
      actor: options.officer ? { officer: options.officer } : {},
      citizens: [],
      fields: [],
      decision: 'done',
      detail: `entries 1…${signed.through} of chain ${chain} and its signed heads 1…${signed.headsThrough} removed under the retention record of ${signed.signedAt.toISOString()}`,
    });
  }
  if (!record) return { deleted: { entries: 0, heads: 0 } };
  const deletedHeads = await heads.deleteMany(chainHeads(chain, { $lte: record.headsThrough }));
  const deletedEntries = await entries.deleteMany(chainEntries(chain, { $lte: record.through }));
  return { record, deleted: { entries: deletedEntries.deletedCount, heads: deletedHeads.deletedCount } };
}

/**
 * The last entry of the chain after `from` that may go: all entries up to it have expired, and it
 * is not the chain's newest. Undefined when there is none.
 */
async function lastExpired({ entries }: JournalCollections, chain: string, from: number, now: Date): Promise<number | undefined> {
  const projection = { _id: 1, chain: 1, sequence: 1 };
  const [newest] = await entries.find(chainEntries(chain), { projection }).sort(entryOrder(chain, -1)).limit(1).toArray();
  const [firstKept] = await entries
    .find({ ...chainEntries(chain, { $gt: from }), expiresAt: { $gt: now } }, { projection })
    .sort(entryOrder(chain, 1))
    .limit(1)
    .toArray();
  if (!newest) return undefined;
  const through = Math.min(placeOf(newest).sequence, firstKept ? placeOf(firstKept).sequence : Number.POSITIVE_INFINITY) - 1;
  return through > from ? through : undefined;
}
