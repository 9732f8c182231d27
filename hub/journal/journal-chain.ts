// The journal is several hash chains in one collection: one per hub instance, so instances never
// race for the same sequence numbers, plus the shared chain. Every place a document is found by
// its chain and its number goes through here.
//
// The shared chain (`hub`) is the journal as it was before instances had their own chains, kept in
// exactly that format so that journals written then verify unchanged (no migration): entries with
// the bare sequence as `_id` and no `chain` field, heads and retention records with a numeric
// `_id`. One-off writers (CLI commands) still append to it, racing as before (journal.ts).
// Every other chain's documents carry `chain` and their number explicitly, under every hash and
// signature, and `_id` = `<chain>:<number>`.
import type { Filter, Sort } from 'mongodb';
import type { JournalEntry } from './journal-entry.ts';
import type { SignedHead } from './signed-head.ts';

export const SHARED_CHAIN = 'hub';

/** A chain's name: the hub instance that writes it (DANCU_INSTANCE_ID, or the pod's name). */
const CHAIN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** What is wrong with a chain name, or undefined. */
export function chainNameProblem(chain: string): string | undefined {
  if (CHAIN_NAME.test(chain)) return undefined;
  return `a journal chain (a hub instance id) is 1–64 letters, digits, ".", "_" or "-", not ${JSON.stringify(chain)}`;
}

/** A document of `journal_chains`: a chain that holds entries, registered with its first ones. */
export interface JournalChainRecord {
  _id: string;
  /** When its first entries were written. */
  openedAt: Date;
}

/** The `_id` of a chain's n-th entry or head. */
export function documentId(chain: string, number: number): number | string {
  return chain === SHARED_CHAIN ? number : `${chain}:${number}`;
}

/**
 * How an entry is quoted to people (answers carry it as journal_chain and journal_sequence):
 * `<chain>:<sequence>`, e.g. `hub-7f9c-0:1234` or, on the shared chain, `hub:1234`.
 */
export function entryReference(place: { chain: string; sequence: number }): string {
  return `${place.chain}:${place.sequence}`;
}

/** The chain and sequence a quoted reference names (a bare number is the shared chain's), or why it names none. */
export function parseEntryReference(text: string): { chain: string; sequence: number } | { problem: string } {
  const match = /^(?:([A-Za-z0-9._-]{1,64}):)?([1-9][0-9]{0,15})$/.exec(text.trim());
  if (!match) return { problem: `a journal entry is quoted as <chain>:<sequence> (e.g. hub:1234), not ${JSON.stringify(text)}` };
  return { chain: match[1] ?? SHARED_CHAIN, sequence: Number(match[2]) };
}

/** An entry's chain and sequence. */
export function placeOf(entry: Pick<JournalEntry, '_id' | 'chain' | 'sequence'>): { chain: string; sequence: number } {
  if (typeof entry._id === 'number') return { chain: SHARED_CHAIN, sequence: entry._id };
  return { chain: entry.chain ?? SHARED_CHAIN, sequence: entry.sequence ?? Number.NaN };
}

/** The fields that put a new entry in its place: the shared chain's format has only `_id`. */
export function entryPlace(chain: string, sequence: number): Pick<JournalEntry, '_id' | 'chain' | 'sequence'> {
  return chain === SHARED_CHAIN ? { _id: sequence } : { _id: documentId(chain, sequence), chain, sequence };
}

/** A head's number in its chain of heads. */
export function headNumber(head: Pick<SignedHead, '_id' | 'number'>): number {
  return typeof head._id === 'number' ? head._id : (head.number ?? Number.NaN);
}

/** The fields that put a new head in its place. */
export function headPlace(chain: string, number: number): Pick<SignedHead, '_id' | 'chain' | 'number'> {
  return chain === SHARED_CHAIN ? { _id: number, chain } : { _id: documentId(chain, number), chain, number };
}

/** Entries of one chain, with sequences in `range`; and their order. */
export function chainEntries(chain: string, range: Record<string, number> = {}): Filter<JournalEntry> {
  if (chain === SHARED_CHAIN) {
    return { chain: { $exists: false }, ...(Object.keys(range).length > 0 ? { _id: range } : {}) } as Filter<JournalEntry>;
  }
  return { chain, ...(Object.keys(range).length > 0 ? { sequence: range } : {}) } as Filter<JournalEntry>;
}

export function entryOrder(chain: string, direction: 1 | -1): Sort {
  return chain === SHARED_CHAIN ? { _id: direction } : { sequence: direction };
}

/** Heads of one chain, with numbers in `range`; and their order. */
export function chainHeads(chain: string, range: Record<string, number> = {}): Filter<SignedHead> {
  const field = chain === SHARED_CHAIN ? '_id' : 'number';
  return { chain, ...(Object.keys(range).length > 0 ? { [field]: range } : {}) } as Filter<SignedHead>;
}

export function headOrder(chain: string, direction: 1 | -1): Sort {
  return chain === SHARED_CHAIN ? { _id: direction } : { number: direction };
}

/** How a person names an entry: `entry 7`, or `entry 7 of chain hub-2` off the shared chain. */
export function chainLabel(chain: string): string {
  return chain === SHARED_CHAIN ? 'the shared chain' : `chain ${chain}`;
}
