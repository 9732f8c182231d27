// Checks that the journal is what the hub wrote (R35), walking it once in sequence order, a
// cursor page at a time, alongside the signed heads. It stops at the first problem and names it.
//
// The rules, in the order they are applied to each entry at sequence s:
//   deleted       s is not one more than the previous entry's sequence: entries are missing.
//                 A journal starting above 1 is accepted as trimmed by retention (not tampering)
//                 when its first entry expires within RETENTION_SLACK of now or has expired —
//                 everything before it was written earlier and so expired earlier — or when a
//                 signed head for s − 1 carries the first entry's previousHash. A signed head
//                 beyond the last entry means the tail was deleted.
//   edited        the entry's recomputed hash differs from its stored hash…
//   reordered     …unless it matches for another sequence within RELOCATION_WINDOW: then the
//                 entry is intact but was moved (e.g. two entries swapped). Also reordered: an
//                 intact, linked entry dated more than MAX_TIME_DISORDER_MS (an hour) before its
//                 predecessor (the journal accepts `at` only within 5 minutes of its own clock,
//                 so honest instances with synchronised clocks stay far inside that).
//   broken-link   the entry's previousHash is not the previous entry's hash (or, for entry 1,
//                 not 64 zeros): an entry was rewritten with a fresh hash, or inserted.
//   bad-head-signature  a signed head's Ed25519 signature does not verify (checked only with a public key).
//   head-mismatch       the entry at a signed head's sequence no longer has the signed hash: the
//                       tail was rewritten with every hash recomputed.
import type { KeyObject } from 'node:crypto';
import type { Db } from 'mongodb';
import { entryHash, GENESIS_HASH } from './hash-chain.ts';
import { journalCollections } from './journal-collections.ts';
import type { JournalEntry } from './journal-entry.ts';
import { MAX_CLOCK_SKEW_MS } from './journal.ts';
import { headSignatureValid, type SignedHead } from './signed-head.ts';

export type JournalProblem = 'edited' | 'deleted' | 'reordered' | 'broken-link' | 'bad-head-signature' | 'head-mismatch';

export interface JournalVerdict {
  ok: boolean;
  /** Entries checked (all of them when ok). */
  checked: number;
  /** Signed heads checked. */
  signedHeads: number;
  /** Whether head signatures were verified (a public key was given). */
  signaturesChecked: boolean;
  firstBad?: { sequence: number; problem: JournalProblem; detail: string };
}

export interface VerifyOptions {
  /** The hub's Ed25519 public key; without it, heads are compared but their signatures are not checked. */
  publicKey?: KeyObject;
  /** "Now" for the retention rule. */
  now?: Date;
  /** Entries per cursor page. */
  pageSize?: number;
}

/** How close to expiry the first entry of a journal starting above 1 must be (TTL deletion lags). */
export const RETENTION_SLACK_MS = 30 * 24 * 3_600_000;
/** How far around its place a moved entry is looked for. */
export const RELOCATION_WINDOW = 1_000;
/**
 * Two instances' entries may each be MAX_CLOCK_SKEW_MS off, and a write may wait behind a slow
 * store; an hour leaves room for both while still catching entries moved days out of place.
 */
export const MAX_TIME_DISORDER_MS = Math.max(60 * 60_000, 2 * MAX_CLOCK_SKEW_MS);

type Finding = NonNullable<JournalVerdict['firstBad']>;

export async function verifyJournal(db: Db, options: VerifyOptions = {}): Promise<JournalVerdict> {
  const { entries, heads } = journalCollections(db);
  const now = options.now ?? new Date();
  const publicKey = options.publicKey;
  const pageSize = options.pageSize ?? 1_000;
  const entryCursor = entries.find({}).sort({ _id: 1 }).batchSize(pageSize);
  const headCursor = heads.find({}).sort({ _id: 1 }).batchSize(pageSize);
  let checked = 0;
  let signedHeads = 0;
  const verdict = (firstBad?: Finding): JournalVerdict => ({
    ok: !firstBad,
    checked,
    signedHeads,
    signaturesChecked: publicKey !== undefined,
    ...(firstBad ? { firstBad } : {}),
  });

  try {
    let head = await headCursor.next();
    /** Signature first: a forged head must not be trusted for anything else. */
    const takeHead = (): Finding | undefined => {
      signedHeads += 1;
      if (publicKey && !headSignatureValid(head!, publicKey)) {
        return { sequence: head!._id, problem: 'bad-head-signature', detail: `the signed head for entry ${head!._id} does not verify with the hub's public key` };
      }
      return undefined;
    };

    let previous: JournalEntry | undefined;
    for await (const entry of entryCursor) {
      // Heads below this entry: of entries expired (before the first) or missing (a gap, caught below).
      let headBefore: SignedHead | undefined;
      while (head && head._id < entry._id) {
        const bad = takeHead();
        if (bad) return verdict(bad);
        headBefore = head;
        head = await headCursor.next();
      }
      const bad = checkEntry(entry, previous, headBefore, now);
      if (bad) return verdict(bad);
      while (head && head._id === entry._id) {
        const badHead = takeHead() ?? headMismatch(head, entry);
        if (badHead) return verdict(badHead);
        head = await headCursor.next();
      }
      checked += 1;
      previous = entry;
    }
    if (head) {
      const bad = takeHead();
      if (bad) return verdict(bad);
      const last = previous?._id ?? 0;
      return verdict({
        sequence: last + 1,
        problem: 'deleted',
        detail: `a signed head vouches for entry ${head._id}, but the journal ends at ${last === 0 ? 'nothing' : `entry ${last}`}: entries ${last + 1}…${head._id} were deleted`,
      });
    }
    return verdict();
  } finally {
    await Promise.all([entryCursor.close(), headCursor.close()]);
  }
}

function checkEntry(entry: JournalEntry, previous: JournalEntry | undefined, headBefore: SignedHead | undefined, now: Date): Finding | undefined {
  const sequence = entry._id;
  if (previous && sequence !== previous._id + 1) {
    const missing = sequence - previous._id - 1 === 1 ? `entry ${previous._id + 1} is` : `entries ${previous._id + 1}…${sequence - 1} are`;
    return { sequence: previous._id + 1, problem: 'deleted', detail: `${missing} missing` };
  }
  if (!previous && sequence !== 1 && !trimmedByRetention(entry, headBefore, now)) {
    return {
      sequence: sequence - 1,
      problem: 'deleted',
      detail: `the journal starts at entry ${sequence}, which does not expire until ${entry.expiresAt.toISOString()}: entries 1…${sequence - 1} cannot have been removed by retention`,
    };
  }
  const hash = entryHash(entry);
  if (hash !== entry.hash) {
    const writtenAs = relocatedFrom(entry);
    if (writtenAs !== undefined) {
      return { sequence, problem: 'reordered', detail: `entry ${sequence} holds the entry written as ${writtenAs}` };
    }
    return { sequence, problem: 'edited', detail: `entry ${sequence} was changed after it was written: its content no longer has its hash` };
  }
  const expectedPrevious = previous ? previous.hash : sequence === 1 ? GENESIS_HASH : headBefore?._id === sequence - 1 ? headBefore.hash : entry.previousHash;
  if (entry.previousHash !== expectedPrevious) {
    return { sequence, problem: 'broken-link', detail: `entry ${sequence} does not link to ${previous || sequence === 1 ? 'the entry before it' : `the signed head for entry ${sequence - 1}`}: it was rewritten or inserted` };
  }
  if (previous && previous.at.getTime() - entry.at.getTime() > MAX_TIME_DISORDER_MS) {
    return { sequence, problem: 'reordered', detail: `entry ${sequence} (${entry.at.toISOString()}) is dated well before entry ${previous._id} (${previous.at.toISOString()})` };
  }
  return undefined;
}

/** See the header: near expiry, or vouched for by a signed head just below it. */
function trimmedByRetention(first: JournalEntry, headBefore: SignedHead | undefined, now: Date): boolean {
  if (headBefore?._id === first._id - 1 && headBefore.hash === first.previousHash) return true;
  return first.expiresAt.getTime() <= now.getTime() + RETENTION_SLACK_MS;
}

/** The sequence this intact entry was written at, if it is near its current place. */
function relocatedFrom(entry: JournalEntry): number | undefined {
  for (let distance = 1; distance <= RELOCATION_WINDOW; distance += 1) {
    for (const sequence of [entry._id - distance, entry._id + distance]) {
      if (sequence >= 1 && entryHash({ ...entry, _id: sequence }) === entry.hash) return sequence;
    }
  }
  return undefined;
}

function headMismatch(head: SignedHead, entry: JournalEntry): Finding | undefined {
  if (head.hash === entry.hash) return undefined;
  return {
    sequence: entry._id,
    problem: 'head-mismatch',
    detail: `entry ${entry._id} no longer has the hash the hub signed at ${head.signedAt.toISOString()}: the journal up to it was rewritten`,
  };
}
