import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from './hash-chain.ts';
import { SHARED_CHAIN } from './journal-chain.ts';
import { signRetentionRecord, startAfter } from './retention-record.ts';
import { signatureValid, signedDigest } from './signed-document.ts';
import { linkOf, NO_HEAD, sameHead, signHead } from './signed-head.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const at = new Date('2025-01-01T08:00:00Z');

describe('signed heads and retention records', () => {
  it('R35: a signed head verifies with the hub key and not after any field was changed', () => {
    const head = signHead({ sequence: 7, hash: 'c'.repeat(64), at }, NO_HEAD, privateKey);
    expect(head).toMatchObject({ _id: 1, chain: SHARED_CHAIN, entry: 7, previousHead: GENESIS_HASH });
    expect(signatureValid(head, publicKey)).toBe(true);
    expect(signatureValid({ ...head, hash: 'd'.repeat(64) }, publicKey)).toBe(false);
    expect(signatureValid({ ...head, entry: 8 }, publicKey)).toBe(false);
    expect(signatureValid({ ...head, _id: 2 }, publicKey)).toBe(false);
    expect(signatureValid({ ...head, previousHead: 'e'.repeat(64) }, publicKey)).toBe(false);
    expect(signatureValid({ ...head, signedAt: new Date() }, publicKey)).toBe(false);
    expect(signatureValid(head, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });

  it('R35: each head names the one before it by a digest its signature covers', () => {
    const first = signHead({ sequence: 7, hash: 'c'.repeat(64), at }, NO_HEAD, privateKey);
    const second = signHead({ sequence: 9, hash: 'd'.repeat(64), at }, linkOf(first), privateKey);
    expect(second).toMatchObject({ _id: 2, entry: 9, previousHead: signedDigest(first) });
    expect(linkOf(second)).toEqual({ sequence: 2, entry: 9, digest: signedDigest(second) });
    expect(signedDigest({ ...first, entry: 8 })).not.toBe(signedDigest(first));
    expect(sameHead(first, { ...first })).toBe(true);
    expect(sameHead(first, second)).toBe(false);
  });

  it('R35: a retention record is signed over the range it removed, and the journal goes on right after it', () => {
    const head = signHead({ sequence: 40, hash: 'c'.repeat(64), at }, NO_HEAD, privateKey);
    const record = signRetentionRecord({ sequence: 42, hash: 'f'.repeat(64), at }, linkOf(head), privateKey);
    expect(record).toMatchObject({
      _id: 42,
      through: 42,
      lastHash: 'f'.repeat(64),
      headsThrough: 1,
      lastHeadDigest: signedDigest(head),
    });
    expect(signatureValid(record, publicKey)).toBe(true);
    expect(signatureValid({ ...record, through: 50 }, publicKey)).toBe(false);
    expect(startAfter(record)).toEqual({
      entry: 42,
      hash: 'f'.repeat(64),
      head: { sequence: 1, entry: 42, digest: signedDigest(head) },
    });
    expect(startAfter(undefined)).toEqual({ entry: 0, hash: GENESIS_HASH, head: NO_HEAD });
  });
});
