// A signed head: the hub's Ed25519 signature over "entry N had hash H at time T", naming the head
// signed before it. The hash chain alone shows an edit only until someone recomputes every hash
// after it; a signed head pins the chain, so a rewritten tail no longer matches it. Heads form a
// chain of their own (numbered from 1, each naming the previous head's digest), so a head deleted
// from the store leaves a gap that the next head still points across, and every head is also
// published outside the store (head-witness.ts), so deleting the tail with its heads is seen too.
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from './hash-chain.ts';
import { headNumber, headPlace, SHARED_CHAIN } from './journal-chain.ts';
import { signDocument, signedDigest } from './signed-document.ts';

/** A document of `journal_head_chain`. */
export interface SignedHead {
  /** The head's number on the shared chain; `<chain>:<number>` on an instance's (journal-chain.ts). */
  _id: number | string;
  /** The entries' chain it vouches for: each chain has its own chain of heads. */
  chain: string;
  /** The head's place in its chain of heads, from 1; absent on the shared chain, where it is `_id`. */
  number?: number;
  /** The sequence of the entry signed for. Strictly increasing along the chain of heads. */
  entry: number;
  /** That entry's hash. */
  hash: string;
  /** That entry's `at`. */
  at: Date;
  /** signedDigest of the head before, or 64 zeros for head 1. */
  previousHead: string;
  /** When the hub signed. */
  signedAt: Date;
  /** Ed25519 over every other field (signed-document.ts), base64. */
  signature: string;
}

/** An entry at the end of the chain: what a head is signed for. */
export interface ChainHead {
  sequence: number;
  hash: string;
  at: Date;
}

/** Where the chain of heads ends: the last head's number, the entry it vouches for, and its digest. */
export interface HeadLink {
  sequence: number;
  entry: number;
  digest: string;
}

/** Before the first head. */
export const NO_HEAD: HeadLink = { sequence: 0, entry: 0, digest: GENESIS_HASH };

/** Signs `entry` as the head after `previous`, on `chain`'s chain of heads. */
export function signHead(
  entry: ChainHead,
  previous: HeadLink,
  privateKey: KeyObject,
  signedAt = new Date(),
  chain = SHARED_CHAIN,
): SignedHead {
  return signDocument<SignedHead>(
    {
      ...headPlace(chain, previous.sequence + 1),
      entry: entry.sequence,
      hash: entry.hash,
      at: entry.at,
      previousHead: previous.digest,
      signedAt,
    },
    privateKey,
  );
}

export function linkOf(head: SignedHead): HeadLink {
  return { sequence: headNumber(head), entry: head.entry, digest: signedDigest(head) };
}

/** Whether two copies of a head (the store's, the witness's) are the same signed head. */
export function sameHead(a: SignedHead, b: SignedHead): boolean {
  return signedDigest(a) === signedDigest(b) && a.signature === b.signature;
}
