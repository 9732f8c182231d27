// The rules `journal verify` applies, as one walk over the journal in sequence order: entries
// and signed heads are handed to it as the cursors reach them (verify-journal.ts), and it names
// the first problem. Everything it needs to remember is here; it reads nothing itself.
//
// The rules for each entry at sequence s:
//   prefix-deleted  the first entry is not where the walk starts: a beginning was removed without
//                 a retention record covering it. Retention never removes entries in any other way.
//   deleted       s is not one more than the previous entry's sequence: entries are missing.
//   edited        the entry's recomputed hash differs from its stored hash…
//   reordered     …unless it matches for another sequence within RELOCATION_WINDOW: then the
//                 entry is intact but was moved (e.g. two entries swapped). Also reordered: an
//                 intact, linked entry dated more than MAX_TIME_DISORDER_MS (an hour) before its
//                 predecessor (the journal accepts `at` only within 5 minutes of its own clock,
//                 so honest instances with synchronised clocks stay far inside that).
//   broken-link   the entry's previousHash is not the previous entry's hash (or, for the first,
//                 not 64 zeros or the retention record's last hash): it was rewritten or inserted.
// The rules for each signed head, in the order of the chain of heads:
//   bad-head-signature  its Ed25519 signature does not verify (checked only with a public key).
//   head-deleted        its number is not one more than the previous head's: heads are missing.
//   head-chain-broken   it does not name the previous head's digest, or vouches for no later entry.
//   witness-mismatch    the witness holds a different head under its number.
//   head-mismatch       the entry it vouches for no longer has the signed hash: the journal up to
//                       it was rewritten with every hash recomputed.
// And at the end:
//   tail-truncated  a signed head, in the store or only in the witness, vouches for an entry past
//                 the journal's last: the tail was deleted (with its heads, if only the witness has them).
//   head-deleted    the witness holds heads past the store's last whose entries are still there.
import type { KeyObject } from 'node:crypto';
import { entryHash } from './hash-chain.ts';
import type { JournalEntry } from './journal-entry.ts';
import { MAX_CLOCK_SKEW_MS } from './journal.ts';
import type { JournalStart } from './retention-record.ts';
import { signatureValid, signedDigest } from './signed-document.ts';
import { linkOf, sameHead, type HeadLink, type SignedHead } from './signed-head.ts';

export type JournalProblem =
  | 'prefix-deleted'
  | 'deleted'
  | 'edited'
  | 'reordered'
  | 'broken-link'
  | 'tail-truncated'
  | 'bad-head-signature'
  | 'head-deleted'
  | 'head-chain-broken'
  | 'witness-mismatch'
  | 'head-mismatch'
  | 'bad-retention-record';

export interface JournalFinding {
  /** The first entry that is missing or wrong, or that a bad head or record no longer protects. */
  sequence: number;
  /** The signed head concerned, when the problem is a head's. */
  head?: number;
  problem: JournalProblem;
  detail: string;
}

/** How far around its place a moved entry is looked for. */
export const RELOCATION_WINDOW = 1_000;
/**
 * Two instances' entries may each be MAX_CLOCK_SKEW_MS off, and a write may wait behind a slow
 * store; an hour leaves room for both while still catching entries moved days out of place.
 */
export const MAX_TIME_DISORDER_MS = Math.max(60 * 60_000, 2 * MAX_CLOCK_SKEW_MS);

/** The walk's state: where it is in the entries and in the chain of heads, and what the witness holds still unmatched. */
export class JournalWalk {
  checked = 0;
  signedHeads = 0;
  private previous: JournalEntry | undefined;
  private lastHead: HeadLink;

  /** The witness's heads by number, removed as the store's heads are matched. */
  private readonly witnessed: Map<number, SignedHead> | undefined;

  constructor(
    private readonly start: JournalStart,
    private readonly publicKey: KeyObject | undefined,
    /** The heads the witness holds, when it was read. */
    witnessed?: readonly SignedHead[],
  ) {
    this.lastHead = start.head;
    this.witnessed = witnessed && new Map(witnessed.map((head) => [head._id, head]));
  }

  /**
   * Hands every entry and head to the rules, heads in the order of the entries they vouch for, and
   * returns the first finding (or the end's). `nextHead` gives null after the last head.
   */
  async through(
    entries: AsyncIterable<JournalEntry>,
    nextHead: () => Promise<SignedHead | null>,
  ): Promise<JournalFinding | undefined> {
    let head = await nextHead();
    for await (const entry of entries) {
      // Heads for entries below this one vouch for entries that are missing: the gap is named below.
      for (; head && head.entry < entry._id; head = await nextHead()) {
        const bad = this.head(head);
        if (bad) return bad;
      }
      const bad = this.entry(entry);
      if (bad) return bad;
      for (; head && head.entry === entry._id; head = await nextHead()) {
        const badHead = this.head(head) ?? headMismatch(head, entry);
        if (badHead) return badHead;
      }
      this.checked += 1;
    }
    for (; head; head = await nextHead()) {
      const bad = this.head(head);
      if (bad) return bad;
    }
    return this.end();
  }

  private entry(entry: JournalEntry): JournalFinding | undefined {
    const sequence = entry._id;
    const previous = this.previous;
    const expected = (previous?._id ?? this.start.entry) + 1;
    if (sequence !== expected) {
      const missing = sequence - expected === 1 ? `entry ${expected} is` : `entries ${expected}…${sequence - 1} are`;
      if (previous) return { sequence: expected, problem: 'deleted', detail: `${missing} missing` };
      const covered =
        this.start.entry === 0
          ? 'no retention record covers them'
          : `the retention record covers entries 1…${this.start.entry} only`;
      return {
        sequence: expected,
        problem: 'prefix-deleted',
        detail: `the journal starts at entry ${sequence}: ${missing} missing and ${covered}`,
      };
    }
    if (entryHash(entry) !== entry.hash) {
      const writtenAs = relocatedFrom(entry);
      if (writtenAs !== undefined)
        return { sequence, problem: 'reordered', detail: `entry ${sequence} holds the entry written as ${writtenAs}` };
      return {
        sequence,
        problem: 'edited',
        detail: `entry ${sequence} was changed after it was written: its content no longer has its hash`,
      };
    }
    if (entry.previousHash !== (previous?.hash ?? this.start.hash)) {
      const before = previous
        ? 'the entry before it'
        : this.start.entry === 0
          ? 'the start of the chain'
          : 'the last entry the retention record removed';
      return {
        sequence,
        problem: 'broken-link',
        detail: `entry ${sequence} does not link to ${before}: it was rewritten or inserted`,
      };
    }
    if (previous && previous.at.getTime() - entry.at.getTime() > MAX_TIME_DISORDER_MS) {
      return {
        sequence,
        problem: 'reordered',
        detail: `entry ${sequence} (${entry.at.toISOString()}) is dated well before entry ${previous._id} (${previous.at.toISOString()})`,
      };
    }
    this.previous = entry;
    return undefined;
  }

  /** Signature first: a forged head must not be trusted for anything else. */
  private head(head: SignedHead): JournalFinding | undefined {
    this.signedHeads += 1;
    const last = this.lastHead;
    const at = { sequence: last.entry + 1, head: head._id };
    if (this.publicKey && !signatureValid(head, this.publicKey)) {
      return {
        ...at,
        problem: 'bad-head-signature',
        detail: `signed head ${head._id} (for entry ${head.entry}) does not verify with the hub's public key`,
      };
    }
    if (head._id !== last.sequence + 1) {
      const missing =
        head._id - last.sequence === 2
          ? `signed head ${last.sequence + 1} is`
          : `signed heads ${last.sequence + 1}…${head._id - 1} are`;
      return {
        ...at,
        head: last.sequence + 1,
        problem: 'head-deleted',
        detail: `${missing} missing: the chain of heads jumps from head ${last.sequence} to head ${head._id}`,
      };
    }
    if (head.previousHead !== last.digest || head.entry <= last.entry) {
      const why =
        head.previousHead !== last.digest
          ? `does not name head ${last.sequence} as the one before it`
          : `vouches for entry ${head.entry}, not one after entry ${last.entry}`;
      return { ...at, problem: 'head-chain-broken', detail: `signed head ${head._id} ${why}` };
    }
    const published = this.witnessed?.get(head._id);
    this.witnessed?.delete(head._id);
    if (published && !sameHead(published, head)) {
      return {
        ...at,
        problem: 'witness-mismatch',
        detail: `signed head ${head._id} in the store differs from the one published as head ${head._id}`,
      };
    }
    this.lastHead = linkOf(head);
    return undefined;
  }

  /** After the last entry and head: heads, in the store or only in the witness, past the end. */
  private end(): JournalFinding | undefined {
    const lastEntry = this.previous?._id ?? this.start.entry;
    const ending = lastEntry === 0 ? 'the journal holds no entries' : `the journal ends at entry ${lastEntry}`;
    if (this.lastHead.entry > lastEntry) {
      const { sequence, entry } = this.lastHead;
      return {
        sequence: lastEntry + 1,
        head: sequence,
        problem: 'tail-truncated',
        detail: `signed head ${sequence} vouches for entry ${entry}, but ${ending}: entries ${lastEntry + 1}…${entry} were deleted`,
      };
    }
    const unmatched = [...(this.witnessed?.values() ?? [])].sort((a, b) => a._id - b._id);
    for (const head of unmatched) {
      const bad = this.retiredHeadProblem(head) ?? this.missingHeadProblem(head, lastEntry, ending);
      if (bad) return bad;
    }
    return undefined;
  }

  /** A witnessed head the store no longer holds: fine when retention removed it, else the store lost it. */
  private missingHeadProblem(head: SignedHead, lastEntry: number, ending: string): JournalFinding | undefined {
    if (head._id <= this.start.head.sequence) return undefined;
    const store = `the store's heads end at head ${this.lastHead.sequence}`;
    if (head.entry > lastEntry) {
      return {
        sequence: lastEntry + 1,
        head: head._id,
        problem: 'tail-truncated',
        detail: `signed head ${head._id} was published for entry ${head.entry}, but ${ending} and ${store}: the tail and its heads were deleted`,
      };
    }
    return {
      sequence: this.lastHead.entry + 1,
      head: head._id,
      problem: 'head-deleted',
      detail: `signed head ${head._id} was published, but ${store}: later heads were deleted`,
    };
  }

  /** A witnessed head the retention record claims to have removed must agree with the record. */
  private retiredHeadProblem(head: SignedHead): JournalFinding | undefined {
    const { head: removed, entry: through } = this.start;
    const contradicts =
      (head._id === removed.sequence && signedDigest(head) !== removed.digest) ||
      (head._id <= removed.sequence && head.entry > through) ||
      (head._id > removed.sequence && head.entry <= through);
    if (!contradicts) return undefined;
    return {
      sequence: through + 1,
      head: head._id,
      problem: 'bad-retention-record',
      detail: `the retention record (entries 1…${through}, heads 1…${removed.sequence}) contradicts signed head ${head._id} (for entry ${head.entry}) as published: it was forged`,
    };
  }
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

function headMismatch(head: SignedHead, entry: JournalEntry): JournalFinding | undefined {
  if (head.hash === entry.hash) return undefined;
  return {
    sequence: entry._id,
    head: head._id,
    problem: 'head-mismatch',
    detail: `entry ${entry._id} no longer has the hash the hub signed in head ${head._id} at ${head.signedAt.toISOString()}: the journal up to it was rewritten`,
  };
}
