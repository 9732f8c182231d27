// A signed head: the hub's Ed25519 signature over "entry N had hash H at time T", naming the head
// signed before it. The hash chain alone shows an edit only until someone recomputes every hash
// after it; a signed head pins the chain, so a rewritten tail no longer matches it. Heads form a
// chain of their own (numbered from 1, each naming the previous head's digest), so a head deleted
// from the store leaves a gap that the next head still points across, and every head is also
// published outside the store (head-witness.ts), so deleting the tail with its heads is seen too.
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from './hash-chain.ts';
import { signDocument, signedDigest } from './signed-document.ts';

/**
 * The chain a head belongs to. There is one chain per journal today; a later issue gives each hub
 * instance its own, and heads already say which one they are for (signed like every other field).
 */
export const JOURNAL_CHAIN = 'hub';

/** A document of `journal_head_chain`. */
export interface SignedHead {
  /** The head's place in the chain of heads, from 1. */
  _id: number;
  chain: string;
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

/** Signs `entry` as the head after `previous`. */
export function signHead(
  entry: ChainHead,
  previous: HeadLink,
  privateKey: KeyObject,
  signedAt = new Date(),
): SignedHead {
  return signDocument<SignedHead>(
    {
      _id: previous.sequence + 1,
      chain: JOURNAL_CHAIN,
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
  return { sequence: head._id, entry: head.entry, digest: signedDigest(head) };
}

/** Whether two copies of a head (the store's, the witness's) are the same signed head. */
export function sameHead(a: SignedHead, b: SignedHead): boolean {
  return signedDigest(a) === signedDigest(b) && a.signature === b.signature;
}
