// The rules `journal verify` applies, as one walk over one chain of the journal in sequence order:
// entries and signed heads are handed to it as the cursors reach them (verify-journal.ts), and it
// names the first problem. Everything it needs to remember is here; it reads nothing itself.
// Sequences and head numbers are places in the walked chain (journal-chain.ts).
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
import { MAX_CLOCK_SKEW_MS } from './journal.ts';
import { entryPlace, headNumber, placeOf, SHARED_CHAIN } from './journal-chain.ts';
import type { JournalEntry } from './journal-entry.ts';
import type { JournalStart } from './retention-record.ts';
import { signatureValid, signedDigest } from './signed-document.ts';
import { type HeadLink, linkOf, type SignedHead, sameHead } from './signed-head.ts';

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
  | 'bad-retention-record'
  | 'chain-missing';

export interface JournalFinding {
  /** The chain it is in (journal-chain.ts). */
  chain: string;
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

/** An entry at its place in the walked chain. */
type Placed = JournalEntry & { place: number };

/** A finding before it is stamped with its chain. */
type Found = Omit<JournalFinding, 'chain'>;

/** The walk's state: where it is in the entries and in the chain of heads, and what the witness holds still unmatched. */
export class JournalWalk {
  checked = 0;
  signedHeads = 0;
  private previous: Placed | undefined;
  private lastHead: HeadLink;

  /** The witness's heads of this chain by number, removed as the store's heads are matched. */
  private readonly witnessed: Map<number, SignedHead> | undefined;

  constructor(
    private readonly start: JournalStart,
    private readonly publicKey: KeyObject | undefined,
    /** The heads the witness holds for this chain, when it was read. */
    witnessed?: readonly SignedHead[],
    /** The chain walked. */
    readonly chain = SHARED_CHAIN,
  ) {
    this.lastHead = start.head;
    this.witnessed = witnessed && new Map(witnessed.map((head) => [headNumber(head), head]));
  }

  /**
   * Hands every entry and head to the rules, heads in the order of the entries they vouch for, and
   * returns the first finding (or the end's). `nextHead` gives null after the last head.
   */
  async through(entries: AsyncIterable<JournalEntry>, nextHead: () => Promise<SignedHead | null>): Promise<JournalFinding | undefined> {
    const found = await this.walk(entries, nextHead);
    return found && { chain: this.chain, ...found };
  }

  private async walk(entries: AsyncIterable<JournalEntry>, nextHead: () => Promise<SignedHead | null>): Promise<Found | undefined> {
    let head = await nextHead();
    for await (const stored of entries) {
      const entry: Placed = { ...stored, place: placeOf(stored).sequence };
      // Heads for entries below this one vouch for entries that are missing: the gap is named below.
      for (; head && head.entry < entry.place; head = await nextHead()) {
        const bad = this.head(head);
        if (bad) return bad;
      }
      const bad = this.entry(entry);
      if (bad) return bad;
      for (; head && head.entry === entry.place; head = await nextHead()) {
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

  private entry(entry: Placed): Found | undefined {
    const sequence = entry.place;
    const previous = this.previous;
    const expected = (previous?.place ?? this.start.entry) + 1;
    if (sequence !== expected) {
      const missing = sequence - expected === 1 ? `entry ${expected} is` : `entries ${expected}…${sequence - 1} are`;
      if (previous) return { sequence: expected, problem: 'deleted', detail: `${missing} missing` };
      const covered =
        this.start.entry === 0 ? 'no retention record covers them' : `the retention record covers entries 1…${this.start.entry} only`;
      return {
        sequence: expected,
        problem: 'prefix-deleted',
        detail: `the journal starts at entry ${sequence}: ${missing} missing and ${covered}`,
      };
    }
    if (entryHash(storedForm(entry)) !== entry.hash) {
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
        detail: `entry ${sequence} (${entry.at.toISOString()}) is dated well before entry ${previous.place} (${previous.at.toISOString()})`,
      };
    }
    this.previous = entry;
    return undefined;
  }

  /** Signature first: a forged head must not be trusted for anything else. */
  private head(head: SignedHead): Found | undefined {
    this.signedHeads += 1;
    const last = this.lastHead;
    const number = headNumber(head);
    const at = { sequence: last.entry + 1, head: number };
    if (this.publicKey && !signatureValid(head, this.publicKey)) {
      return {
        ...at,
        problem: 'bad-head-signature',
        detail: `signed head ${number} (for entry ${head.entry}) does not verify with the hub's public key`,
      };
    }
    if (head.chain !== this.chain) {
      return { ...at, problem: 'head-chain-broken', detail: `signed head ${number} is for chain ${head.chain}, not this one` };
    }
    if (number !== last.sequence + 1) {
      const missing =
        number - last.sequence === 2 ? `signed head ${last.sequence + 1} is` : `signed heads ${last.sequence + 1}…${number - 1} are`;
      return {
        ...at,
        head: last.sequence + 1,
        problem: 'head-deleted',
        detail: `${missing} missing: the chain of heads jumps from head ${last.sequence} to head ${number}`,
      };
    }
    if (head.previousHead !== last.digest || head.entry <= last.entry) {
      const why =
        head.previousHead !== last.digest
          ? `does not name head ${last.sequence} as the one before it`
          : `vouches for entry ${head.entry}, not one after entry ${last.entry}`;
      return { ...at, problem: 'head-chain-broken', detail: `signed head ${number} ${why}` };
    }
    const published = this.witnessed?.get(number);
    this.witnessed?.delete(number);
    if (published && !sameHead(published, head)) {
      return {
        ...at,
        problem: 'witness-mismatch',
        detail: `signed head ${number} in the store differs from the one published as head ${number}`,
      };
    }
    this.lastHead = linkOf(head);
    return undefined;
  }

  /** After the last entry and head: heads, in the store or only in the witness, past the end. */
  private end(): Found | undefined {
    const lastEntry = this.previous?.place ?? this.start.entry;
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
    const unmatched = [...(this.witnessed?.values() ?? [])].sort((a, b) => headNumber(a) - headNumber(b));
    for (const head of unmatched) {
      const bad = this.retiredHeadProblem(head) ?? this.missingHeadProblem(head, lastEntry, ending);
      if (bad) return bad;
    }
    return undefined;
  }

  /** A witnessed head the store no longer holds: fine when retention removed it, else the store lost it. */
  private missingHeadProblem(head: SignedHead, lastEntry: number, ending: string): Found | undefined {
    const number = headNumber(head);
    if (number <= this.start.head.sequence) return undefined;
    const store = `the store's heads end at head ${this.lastHead.sequence}`;
    if (head.entry > lastEntry) {
      return {
        sequence: lastEntry + 1,
        head: number,
        problem: 'tail-truncated',
        detail: `signed head ${number} was published for entry ${head.entry}, but ${ending} and ${store}: the tail and its heads were deleted`,
      };
    }
    return {
      sequence: this.lastHead.entry + 1,
      head: number,
      problem: 'head-deleted',
      detail: `signed head ${number} was published, but ${store}: later heads were deleted`,
    };
  }

  /** A witnessed head the retention record claims to have removed must agree with the record. */
  private retiredHeadProblem(head: SignedHead): Found | undefined {
    const { head: removed, entry: through } = this.start;
    const number = headNumber(head);
    const contradicts =
      (number === removed.sequence && signedDigest(head) !== removed.digest) ||
      (number <= removed.sequence && head.entry > through) ||
      (number > removed.sequence && head.entry <= through);
    if (!contradicts) return undefined;
    return {
      sequence: through + 1,
      head: number,
      problem: 'bad-retention-record',
      detail: `the retention record (entries 1…${through}, heads 1…${removed.sequence}) contradicts signed head ${number} (for entry ${head.entry}) as published: it was forged`,
    };
  }
}

/** The entry as stored, without the place the walk gave it. */
function storedForm({ place: _place, ...stored }: Placed): JournalEntry {
  return stored;
}

/** The sequence this intact entry was written at, if it is near its current place in its chain. */
function relocatedFrom(entry: Placed): number | undefined {
  const { place } = entry;
  const stored = storedForm(entry);
  const chain = placeOf(stored).chain;
  for (let distance = 1; distance <= RELOCATION_WINDOW; distance += 1) {
    for (const sequence of [place - distance, place + distance]) {
      if (sequence >= 1 && entryHash({ ...stored, ...entryPlace(chain, sequence) }) === entry.hash) return sequence;
    }
  }
  return undefined;
}

function headMismatch(head: SignedHead, entry: Placed): Found | undefined {
  if (head.hash === entry.hash) return undefined;
  const number = headNumber(head);
  return {
    sequence: entry.place,
    head: number,
    problem: 'head-mismatch',
    detail: `entry ${entry.place} no longer has the hash the hub signed in head ${number} at ${head.signedAt.toISOString()}: the journal up to it was rewritten`,
  };
}
