// The journal's retention job (R35): removes the entries whose retention (at least two years) has
// passed, and the signed heads for them, in the only way `journal verify` accepts — under a signed
// retention record, written before anything is deleted. In order:
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
import { journalCollections, latestRetentionRecord } from './journal-collections.ts';
import type { JournalWriter } from './journal-entry.ts';
import { JournalError } from './journal-error.ts';
import { signRetentionRecord, startAfter, type RetentionRecord } from './retention-record.ts';
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
  /** The record in force afterwards, if retention ever ran. */
  record?: RetentionRecord;
  /** Entries and heads deleted by this run. */
  deleted: { entries: number; heads: number };
}

export async function removeExpiredEntries(db: Db, options: RemoveExpiredOptions): Promise<RetentionOutcome> {
  const collections = journalCollections(db);
  const { entries, heads, retention } = collections;
  const verdict = await verifyJournal(db, {
    publicKey: createPublicKey(options.signingKey),
    ...(options.witness ? { witness: options.witness } : {}),
  });
  if (verdict.firstBad) {
    const { sequence, problem, detail } = verdict.firstBad;
    throw new JournalError(
      'journal-tampered',
      `retention refused: the journal does not verify (entry ${sequence} ${problem}: ${detail}); find out what happened before removing anything`,
      false,
    );
  }

  let record = await latestRetentionRecord(collections);
  const through = await lastExpired(db, record?.through ?? 0, options.now ?? new Date());
  if (through !== undefined) {
    const last = (await entries.findOne({ _id: through }, { projection: { hash: 1, at: 1 } }))!;
    const [lastHead] = await heads
      .find({ entry: { $lte: through } })
      .sort({ _id: -1 })
      .limit(1)
      .toArray();
    const signed = signRetentionRecord(last, lastHead ? linkOf(lastHead) : startAfter(record).head, options.signingKey);
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
      detail: `entries 1…${signed.through} and signed heads 1…${signed.headsThrough} removed under the retention record of ${signed.signedAt.toISOString()}`,
    });
  }
  if (!record) return { deleted: { entries: 0, heads: 0 } };
  const deletedHeads = await heads.deleteMany({ _id: { $lte: record.headsThrough } });
  const deletedEntries = await entries.deleteMany({ _id: { $lte: record.through } });
  return { record, deleted: { entries: deletedEntries.deletedCount, heads: deletedHeads.deletedCount } };
}

/**
 * The last entry after `from` that may go: all entries up to it have expired, and it is not the
 * newest. Undefined when there is none.
 */
async function lastExpired(db: Db, from: number, now: Date): Promise<number | undefined> {
  const { entries } = journalCollections(db);
  const [newest] = await entries
    .find({}, { projection: { _id: 1 } })
    .sort({ _id: -1 })
    .limit(1)
    .toArray();
  const [firstKept] = await entries
    .find({ _id: { $gt: from }, expiresAt: { $gt: now } }, { projection: { _id: 1 } })
    .sort({ _id: 1 })
    .limit(1)
    .toArray();
  if (!newest) return undefined;
  const through = Math.min(newest._id, firstKept?._id ?? Number.POSITIVE_INFINITY) - 1;
  return through > from ? through : undefined;
}
