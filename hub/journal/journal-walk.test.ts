import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealEntry } from './hash-chain.ts';
import { addYears } from './journal.ts';
import type { JournalEntry } from './journal-entry.ts';
import { JournalWalk } from './journal-walk.ts';
import { JOURNAL_BEGINNING } from './retention-record.ts';
import { linkOf, NO_HEAD, type SignedHead, signHead } from './signed-head.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

/** Entries 1…count, with a signed head every `every` entries. */
function journal(count: number, every: number): { entries: JournalEntry[]; heads: SignedHead[] } {
  const entries: JournalEntry[] = [];
  const heads: SignedHead[] = [];
  for (let sequence = 1; sequence <= count; sequence += 1) {
    const at = new Date(Date.UTC(2026, 0, 1, 8, 0, sequence));
    const body = {
      act: 'ingest' as const,
      action: 'apply-batch',
      actor: {},
      citizens: [],
      fields: [],
      decision: 'done' as const,
    };
    const previousHash = entries.at(-1)?.hash ?? GENESIS_HASH;
    entries.push(sealEntry({ _id: sequence, ...body, at, expiresAt: addYears(at, 2), writer: 'w', previousHash }));
    if (sequence % every === 0) {
      const previous = heads.at(-1);
      heads.push(signHead({ sequence, hash: entries.at(-1)!.hash, at }, previous ? linkOf(previous) : NO_HEAD, privateKey));
    }
  }
  return { entries, heads };
}

/** The walk over arrays, as verify-journal.ts runs it over cursors. */
function walk(entries: JournalEntry[], heads: SignedHead[], witnessed?: SignedHead[], start = JOURNAL_BEGINNING) {
  const walker = new JournalWalk(start, publicKey, witnessed);
  const pending = [...heads];
  return walker.through(
    (async function* () {
      yield* entries;
    })(),
    async () => pending.shift() ?? null,
  );
}

describe('the rules of journal verify', async () => {
  const { entries, heads } = journal(9, 3);

  it('R35: an intact journal and chain of heads, with or without the witness, has no finding', async () => {
    expect(await walk(entries, heads)).toBeUndefined();
    expect(await walk(entries, heads, heads)).toBeUndefined();
  });

  it('R35: a missing beginning is prefix-deleted unless the walk starts after it', async () => {
    expect(await walk(entries.slice(3), heads.slice(1))).toMatchObject({ sequence: 1, problem: 'prefix-deleted' });
    const start = { entry: 3, hash: entries[2]!.hash, head: linkOf(heads[0]!) };
    expect(await walk(entries.slice(3), heads.slice(1), heads, start)).toBeUndefined();
  });

  it('R35: a head missing in the middle is head-deleted; one forged is bad-head-signature', async () => {
    expect(await walk(entries, [heads[0]!, heads[2]!])).toMatchObject({
      sequence: 4,
      head: 2,
      problem: 'head-deleted',
    });
    expect(await walk(entries, [heads[0]!, { ...heads[1]!, hash: 'f'.repeat(64) }, heads[2]!])).toMatchObject({
      head: 2,
      problem: 'bad-head-signature',
    });
  });

  it('R35: a tail cut with its heads is seen only with the witness, as tail-truncated', async () => {
    expect(await walk(entries.slice(0, 4), heads.slice(0, 1))).toBeUndefined();
    expect(await walk(entries.slice(0, 4), heads.slice(0, 1), heads)).toMatchObject({
      sequence: 5,
      head: 2,
      problem: 'tail-truncated',
    });
    expect(await walk(entries.slice(0, 7), heads.slice(0, 1), heads)).toMatchObject({
      sequence: 4,
      head: 2,
      problem: 'head-deleted',
    });
  });
});
