import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareHeads, isDisagreement } from './head-comparison.ts';
import { linkOf, NO_HEAD, type SignedHead, signHead } from './signed-head.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const heads: SignedHead[] = [];
for (let entry = 1; entry <= 5; entry += 1) {
  const previous = heads.at(-1);
  heads.push(
    signHead({ sequence: entry * 10, hash: String(entry).repeat(64), at: new Date() }, previous ? linkOf(previous) : NO_HEAD, privateKey),
  );
}

describe('the witness heads beside the store heads', () => {
  it('R35: each head is same, differs, removed by retention, missing from the store, or not published', () => {
    const [one, two, three, four, five] = heads as [SignedHead, SignedHead, SignedHead, SignedHead, SignedHead];
    const stored = [three, { ...four, hash: 'f'.repeat(64) }, five];
    const rows = compareHeads([one, two, three, four], stored, 1);
    expect(rows.map((row) => [row.head._id, row.standing])).toEqual([
      [1, 'removed by retention'],
      [2, 'missing from the store'],
      [3, 'same'],
      [4, 'differs'],
      [5, 'not published'],
    ]);
    expect(rows.filter((row) => isDisagreement(row.standing)).map((row) => row.head._id)).toEqual([2, 4]);
  });
});
