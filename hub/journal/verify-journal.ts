// Checks that the journal is what the hubs wrote (R35): every chain (one per hub instance, and the
// shared one, journal-chain.ts) walked once in sequence order, a cursor page at a time, alongside
// its chain of signed heads, comparing the heads with those published outside the store
// (head-witness.ts). It stops at the first problem and names it, with its chain.
//
// Which chains: every one the store registered in `journal_chains` or holds any document of, and
// every one the witness published heads for.
//   chain-missing  a chain registered, or with heads or a retention record in the store or heads
//                 in the witness, holds no entry: it was deleted whole (retention always keeps a
//                 chain's newest entry).
//
// Where a chain's walk starts: entry 1 and head 1, or, when a retention record (retention-record.ts)
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
import { chainEntries, chainHeads, chainLabel, entryOrder, headNumber, headOrder } from './journal-chain.ts';
import { type JournalCollections, journalCollections, knownChains, latestRetentionRecord } from './journal-collections.ts';
import { type JournalFinding, JournalWalk } from './journal-walk.ts';
import { type RetentionRecord, retentionRecordProblem, startAfter } from './retention-record.ts';
import type { SignedHead } from './signed-head.ts';

export type { JournalFinding, JournalProblem } from './journal-walk.ts';

/** One chain's part of the verdict. */
export interface ChainVerdict {
  chain: string;
  /** Entries checked (all of the chain's when ok). */
  checked: number;
  signedHeads: number;
  /** Entries 1…removedThrough of this chain were removed by retention under a record that was accepted. */
  removedThrough: number;
}

export interface JournalVerdict {
  ok: boolean;
  /** Entries checked, over every chain (all of them when ok). */
  checked: number;
  /** Signed heads checked, over every chain. */
  signedHeads: number;
  /** Whether head and retention signatures were verified (a public key was given). */
  signaturesChecked: boolean;
  /** Entries removed by retention under records that were accepted, over every chain (0: none). */
  removedThrough: number;
  /** Each chain walked, in name order, up to the one with the first problem. */
  chains: ChainVerdict[];
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
  const collections = journalCollections(db);
  const chains = new Set(await knownChains(collections));
  for (const head of witnessed ?? []) chains.add(head.chain);
  const verdict: JournalVerdict = {
    ok: true,
    checked: 0,
    signedHeads: 0,
    signaturesChecked: options.publicKey !== undefined,
    removedThrough: 0,
    chains: [],
    ...(options.witness && witnessed ? { witness: { where: options.witness.where, heads: witnessed.length } } : {}),
  };
  for (const chain of [...chains].sort()) {
    const ofChain = witnessed?.filter((head) => head.chain === chain);
    const { part, firstBad } = await verifyChain(collections, chain, options, ofChain);
    verdict.chains.push(part);
    verdict.checked += part.checked;
    verdict.signedHeads += part.signedHeads;
    verdict.removedThrough += part.removedThrough;
    if (firstBad) return { ...verdict, ok: false, firstBad };
  }
  return verdict;
}

interface ChainOutcome {
  part: ChainVerdict;
  firstBad?: JournalFinding;
}

async function verifyChain(
  collections: JournalCollections,
  chain: string,
  options: VerifyOptions,
  witnessed: SignedHead[] | undefined,
): Promise<ChainOutcome> {
  const first = await verifyOnce(collections, chain, options, witnessed);
  // A retention run between reading its record and reading the entries looks like a cut beginning:
  // if a newer record has appeared meanwhile, the walk is done once more after it.
  if (first.outcome.firstBad?.problem !== 'prefix-deleted') return first.outcome;
  const latest = await latestRetentionRecord(collections, chain);
  if (latest?._id === first.record?._id) return first.outcome;
  return (await verifyOnce(collections, chain, options, witnessed)).outcome;
}

async function verifyOnce(
  collections: JournalCollections,
  chain: string,
  options: VerifyOptions,
  witnessed: SignedHead[] | undefined,
): Promise<{ outcome: ChainOutcome; record: RetentionRecord | undefined }> {
  const { publicKey } = options;
  const pageSize = options.pageSize ?? 1_000;
  const [lastHead] = await collections.heads.find(chainHeads(chain)).sort(headOrder(chain, -1)).limit(1).toArray();
  const record = await latestRetentionRecord(collections, chain);
  const start = startAfter(record);
  const walk = new JournalWalk(start, publicKey, witnessed, chain);
  const outcome = (firstBad?: JournalFinding) => ({
    outcome: {
      part: { chain, checked: walk.checked, signedHeads: walk.signedHeads, removedThrough: start.entry },
      ...(firstBad ? { firstBad } : {}),
    },
    record,
  });

  const recordBad = record && retentionRecordProblem(record, publicKey, options.now ?? new Date());
  if (recordBad) return outcome({ chain, sequence: record.through, problem: 'bad-retention-record', detail: recordBad });
  const missing = await missingChain(collections, chain, witnessed);
  if (missing) return outcome({ chain, sequence: start.entry + 1, problem: 'chain-missing', detail: missing });
  const entryCursor = collections.entries
    .find(chainEntries(chain, { $gt: start.entry }))
    .sort(entryOrder(chain, 1))
    .batchSize(pageSize);
  const headCursor = collections.heads
    .find(chainHeads(chain, { $gt: start.head.sequence, $lte: lastHead ? headNumber(lastHead) : 0 }))
    .sort(headOrder(chain, 1))
    .batchSize(pageSize);
  try {
    return outcome(await walk.through(entryCursor, () => headCursor.next()));
  } finally {
    await Promise.all([entryCursor.close(), headCursor.close()]);
  }
}

/** Why a chain without a single entry in the store should have some, or undefined if it has some. */
async function missingChain(
  collections: JournalCollections,
  chain: string,
  witnessed: SignedHead[] | undefined,
): Promise<string | undefined> {
  if (await collections.entries.findOne(chainEntries(chain), { projection: { _id: 1 } })) return undefined;
  const [registered, heads, retained] = await Promise.all([
    collections.chains.findOne({ _id: chain }),
    collections.heads.countDocuments(chainHeads(chain)),
    collections.retention.countDocuments({ chain }),
  ]);
  const evidence = [
    ...(registered ? [`it was registered in journal_chains at ${registered.openedAt.toISOString()}`] : []),
    ...(heads > 0 ? [`the store holds ${heads} signed head(s) for it`] : []),
    ...(retained > 0 ? [`the store holds ${retained} retention record(s) for it`] : []),
    ...(witnessed && witnessed.length > 0 ? [`the witness holds ${witnessed.length} signed head(s) for it`] : []),
  ];
  return `${chainLabel(chain)} holds no entry, but ${evidence.join(', ')}: its entries were deleted`;
}
