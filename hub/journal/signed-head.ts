// A signed chain head: the hub's Ed25519 signature over "entry N had hash H at time T". The hash
// chain alone shows an edit only until someone recomputes every hash after it; a signed head
// held apart from the entries pins the chain, so a rewritten tail no longer matches it.
import { sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';

/** A document of `journal_heads`. */
export interface SignedHead {
  /** The sequence of the entry signed for. */
  _id: number;
  hash: string;
  /** The signed entry's `at`. */
  at: Date;
  /** Ed25519 over signedHeadBytes, base64. */
  signature: string;
  /** When the hub signed (not signed itself; for people). */
  signedAt: Date;
}

export interface ChainHead {
  sequence: number;
  hash: string;
  at: Date;
}

/** The canonical `{sequence, hash, at}` that is signed. */
export function signedHeadBytes(head: ChainHead): Buffer {
  return Buffer.from(canonicalize({ sequence: head.sequence, hash: head.hash, at: head.at.toISOString() })!, 'utf8');
}

export function signHead(head: ChainHead, privateKey: KeyObject, signedAt = new Date()): SignedHead {
  const signature = sign(null, signedHeadBytes(head), privateKey).toString('base64');
  return { _id: head.sequence, hash: head.hash, at: head.at, signature, signedAt };
}

export function headSignatureValid(head: SignedHead, publicKey: KeyObject): boolean {
  const bytes = signedHeadBytes({ sequence: head._id, hash: head.hash, at: head.at });
  try {
    return verify(null, bytes, publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false; // a malformed signature or a key of another type is simply not a valid signature
  }
}

/** What is wrong with a key that should be Ed25519 of the given kind, or undefined if nothing. */
export function ed25519Problem(key: KeyObject, kind: 'private' | 'public'): string | undefined {
  if (key.asymmetricKeyType === 'ed25519' && key.type === kind) return undefined;
  return `it must be an Ed25519 ${kind} key, not a ${key.asymmetricKeyType ?? 'symmetric'} ${key.type} key`;
}
