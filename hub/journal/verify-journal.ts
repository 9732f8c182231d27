// Checks that the journal is what the hub wrote (R35), walking it once in sequence order, a
// cursor page at a time, alongside the chain of signed heads, and comparing the heads with those
// published outside the store (head-witness.ts). It stops at the first problem and names it.
//
// Where the walk starts: entry 1 and head 1, or, when a retention record (retention-record.ts)
// removed a beginning, right after the entry and head it names. The record is checked first.
//   bad-retention-record  its signature does not verify (checked only with a public key), it is
//                 dated in the future, it removed entries younger than R35's two years, or the
//                 witness's heads contradict it.
//
// The rules for entries and heads are in journal-walk.ts.
//
// The witness is read before the store, and only heads already in the store then are walked:
// heads are made durable in the store before they are published and after the entries they
// vouch for, so a hub appending while the journal is verified is never mistaken for tampering.
// Likewise a retention run that lands between reading its record and walking the entries: when
// the beginning looks cut and a newer record has appeared, the walk is done once more.
import type { KeyObject } from 'node:crypto';
import type { Db } from 'mongodb';
import type { HeadWitness } from './head-witness.ts';
import { journalCollections, latestRetentionRecord } from './journal-collections.ts';
import { JournalWalk, type JournalFinding } from './journal-walk.ts';
import { retentionRecordProblem, startAfter, type RetentionRecord } from './retention-record.ts';
import type { SignedHead } from './signed-head.ts';

export type { JournalFinding, JournalProblem } from './journal-walk.ts';

export interface JournalVerdict {
  ok: boolean;
  /** Entries checked (all of them when ok). */
  checked: number;
  /** Signed heads checked. */
  signedHeads: number;
  /** Whether head and retention signatures were verified (a public key was given). */
  signaturesChecked: boolean;
  /** Entries 1…removedThrough were removed by retention under a record that was accepted (0: none). */
  removedThrough: number;
  /** The outside witness compared, and how many heads it held; absent when not checked. */
  witness?: { where: string; heads: number };
  firstBad?: JournalFinding;
}

export interface VerifyOptions {
  /** The hub's Ed25519 public key; without it, heads are compared but signatures are not checked. */
  publicKey?: KeyObject;
  /** Where the heads were also published; without it only the store is checked. */
  witness?: HeadWitness;
  /** Entries per cursor page. */
  pageSize?: number;
  /** "Now" for the retention record's dates. */
  now?: Date;
}
export async function verifyJournal(db: Db, options: VerifyOptions = {}): Promise<JournalVerdict> {
  const witnessed = options.witness ? await options.witness.heads(db.databaseName) : undefined;
  const first = await verifyOnce(db, options, witnessed);
  // A retention run between reading its record and reading the entries looks like a cut beginning:
  // if a newer record has appeared meanwhile, the walk is done once more after it.
  if (first.verdict.firstBad?.problem !== 'prefix-deleted') return first.verdict;
  const latest = await latestRetentionRecord(journalCollections(db));
  if (latest?._id === first.record?._id) return first.verdict;
  return (await verifyOnce(db, options, witnessed)).verdict;
}

async function verifyOnce(
  db: Db,
  options: VerifyOptions,
  witnessed: SignedHead[] | undefined,
): Promise<{ verdict: JournalVerdict; record: RetentionRecord | undefined }> {
  const collections = journalCollections(db);
  const { publicKey, witness } = options;
  const pageSize = options.pageSize ?? 1_000;
  const [lastHead] = await collections.heads
    .find({}, { projection: { _id: 1 } })
    .sort({ _id: -1 })
    .limit(1)
    .toArray();
  const record = await latestRetentionRecord(collections);
  const start = startAfter(record);
  const walk = new JournalWalk(start, publicKey, witnessed);
  const verdict = (firstBad?: JournalFinding) => ({ verdict: judged(firstBad), record });
  const judged = (firstBad?: JournalFinding): JournalVerdict => ({
    ok: !firstBad,
    checked: walk.checked,
    signedHeads: walk.signedHeads,
    signaturesChecked: publicKey !== undefined,
    removedThrough: start.entry,
    ...(witness && witnessed ? { witness: { where: witness.where, heads: witnessed.length } } : {}),
    ...(firstBad ? { firstBad } : {}),
  });

  const recordBad = record && retentionRecordProblem(record, publicKey, options.now ?? new Date());
  if (recordBad) return verdict({ sequence: record.through, problem: 'bad-retention-record', detail: recordBad });
  const entryCursor = collections.entries
    .find({ _id: { $gt: start.entry } })
    .sort({ _id: 1 })
    .batchSize(pageSize);
  const headCursor = collections.heads
    .find({ _id: { $gt: start.head.sequence, $lte: lastHead?._id ?? 0 } })
    .sort({ _id: 1 })
    .batchSize(pageSize);
  try {
    return verdict(await walk.through(entryCursor, () => headCursor.next()));
  } finally {
    await Promise.all([entryCursor.close(), headCursor.close()]);
  }
}
