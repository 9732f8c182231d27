// The hub's Ed25519 signature over a journal document (a signed head, a retention record): the
// signature covers the RFC 8785 JSON of every other field, dates as ISO strings, so no field can
// be changed, added or dropped without the signature failing.
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

/** A document the hub signed: `signature` is Ed25519 over signedBytes, base64. */
export interface Signed {
  signature: string;
}

/** The bytes signed: the whole document but its signature. */
export function signedBytes<T extends Signed>(document: Omit<T, 'signature'> | T): Buffer {
  const { signature: _ignored, ...rest } = document as T;
  const text = canonicalize(rest);
  if (text === undefined) throw new TypeError('a signed journal document must be a JSON object');
  return Buffer.from(text, 'utf8');
}

/** Hex SHA-256 of the signed bytes: how the next document names this one. */
export function signedDigest<T extends Signed>(document: Omit<T, 'signature'> | T): string {
  return createHash('sha256').update(signedBytes(document)).digest('hex');
}

export function signDocument<T extends Signed>(document: Omit<T, 'signature'>, privateKey: KeyObject): T {
  const signature = sign(null, signedBytes(document), privateKey).toString('base64');
  return { ...document, signature } as T;
}

export function signatureValid<T extends Signed>(document: T, publicKey: KeyObject): boolean {
  try {
    return verify(null, signedBytes(document), publicKey, Buffer.from(document.signature, 'base64'));
  } catch {
    return false; // a malformed signature or a key of another type is simply not a valid signature
  }
}

/** What is wrong with a key that should be Ed25519 of the given kind, or undefined if nothing. */
export function ed25519Problem(key: KeyObject, kind: 'private' | 'public'): string | undefined {
  if (key.asymmetricKeyType === 'ed25519' && key.type === kind) return undefined;
  return `it must be an Ed25519 ${kind} key, not a ${key.asymmetricKeyType ?? 'symmetric'} ${key.type} key`;
}
