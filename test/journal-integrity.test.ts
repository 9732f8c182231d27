// The journal's history cannot be cut unnoticed (R35): not its beginning, not its end, not a
// signed head in between, not under a forged retention record — and honest retention still
// verifies. On the real Kafka (the outside witness) and FerretDB, each control refused and allowed.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Db, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealEntry } from '../hub/journal/hash-chain.ts';
import type { HeadWitness } from '../hub/journal/head-witness.ts';
import { addYears, Journal } from '../hub/journal/journal.ts';
import { headNumber, placeOf } from '../hub/journal/journal-chain.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import type { JournalEntry } from '../hub/journal/journal-entry.ts';
import { removeExpiredEntries } from '../hub/journal/remove-expired.ts';
import { signRetentionRecord } from '../hub/journal/retention-record.ts';
import { linkOf, NO_HEAD, type SignedHead, signHead } from '../hub/journal/signed-head.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN } from './harness.ts';
import { journalTestWorld, lookup } from './journal-fixture.ts';

const run = promisify(execFile);
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

describe('the journal history on the real Kafka and FerretDB', () => {
  const { witness, freshDb } = journalTestWorld('dancu_journal');

  /** A journal of `rounds` × `perRound` entries with a signed head after each round, published to the witness. */
  async function signedJournal(rounds: number, perRound = 4, db = freshDb()) {
    const journal = await Journal.open(db, { signingKey: privateKey, witness });
    for (let round = 0; round < rounds; round += 1) {
      await Promise.all(Array.from({ length: perRound }, (_, index) => journal.append(lookup(round * perRound + index + 1))));
      await journal.signHead();
    }
    await journal.close();
    return { db, ...journalCollections(db) };
  }

  const full = () => ({ publicKey, witness });

  it('R35: signed heads form a chain, each naming the one before, and every head is published to the witness topic', async () => {
    const { db, heads } = await signedJournal(3);
    const stored = await heads.find({}).sort({ _id: 1 }).toArray();
    expect(stored.map((head) => [head._id, head.entry])).toEqual([
      [1, 4],
      [2, 8],
      [3, 12],
    ]);
    expect(stored[0]!.previousHead).toBe(GENESIS_HASH);
    expect(stored[1]!.previousHead).toBe(linkOf(stored[0]!).digest);
    expect(stored[2]!.previousHead).toBe(linkOf(stored[1]!).digest);
    expect(await witness.heads(db.databaseName)).toEqual(stored);
    expect(await verifyJournal(db, full())).toMatchObject({
      ok: true,
      checked: 12,
      signedHeads: 3,
      witness: { heads: 3 },
    });
  });

  it('R35: two hub instances signing heads at once still produce one chain of heads, every one published', async () => {
    const db = freshDb();
    const other = new MongoClient(testEndpoints().mongodbUri);
    try {
      const a = await Journal.open(db, { signingKey: privateKey, witness });
      const b = await Journal.open(other.db(db.databaseName), { signingKey: privateKey, witness });
      for (let wave = 0; wave < 5; wave += 1) {
        await Promise.all(Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? a : b).append(lookup(wave * 6 + index))));
        await Promise.all([a.signHead(), b.signHead()]);
      }
      await Promise.all([a.close(), b.close()]);
      const heads = await journalCollections(db).heads.find({}).sort({ _id: 1 }).toArray();
      expect(heads.map((head) => head._id)).toEqual(heads.map((_, index) => index + 1));
      expect((await witness.heads(db.databaseName)).map((head) => headNumber(head)).sort((x, y) => x - y)).toEqual(
        heads.map((head) => head._id),
      );
      expect(await verifyJournal(db, full())).toMatchObject({ ok: true, checked: 30, signedHeads: heads.length });
    } finally {
      await other.close();
    }
  });

  it('R35: a head the witness could not take is kept in the store and published with the next one', async () => {
    const db = freshDb();
    let down = true;
    const flaky: HeadWitness = {
      where: witness.where,
      heads: (journal) => witness.heads(journal),
      publish: (journal, heads) => (down ? Promise.reject(new Error('broker gone')) : witness.publish(journal, heads)),
    };
    const journal = await Journal.open(db, { signingKey: privateKey, witness: flaky });
    await journal.append(lookup(1));
    await expect(journal.signHead()).rejects.toThrow(/signed heads 1…1 are in the store but not yet in Kafka topic/);
    expect(await journalCollections(db).heads.countDocuments()).toBe(1);
    down = false;
    await journal.append(lookup(2));
    await journal.close();
    expect((await witness.heads(db.databaseName)).map((head) => head._id)).toEqual([1, 2]);
    expect(await verifyJournal(db, full())).toMatchObject({ ok: true, checked: 2, signedHeads: 2 });
  });

  it('R35: a prefix cut (the first entries and their heads deleted) is refused as prefix-deleted, naming entry 1', async () => {
    const { db, entries, heads } = await signedJournal(3);
    await entries.deleteMany({ _id: { $lte: 5 } });
    await heads.deleteMany({ _id: { $lte: 1 } });
    const storeAlone = await verifyJournal(db, { publicKey });
    expect(storeAlone).toMatchObject({ ok: false, checked: 0, firstBad: { sequence: 1, problem: 'prefix-deleted' } });
    expect(storeAlone.firstBad?.detail).toBe('the journal starts at entry 6: entries 1…5 are missing and no retention record covers them');
    expect((await verifyJournal(db, full())).firstBad).toMatchObject({ sequence: 1, problem: 'prefix-deleted' });
  });

  it('R35: a tail cut together with the heads that covered it is refused as tail-truncated by the witness, which the store alone cannot see', async () => {
    const { db, entries, heads } = await signedJournal(3);
    await entries.deleteMany({ _id: { $gt: 6 } });
    await heads.deleteMany({ entry: { $gt: 6 } });
    expect(await verifyJournal(db, { publicKey })).toMatchObject({ ok: true, checked: 6 });
    const verdict = await verifyJournal(db, full());
    expect(verdict).toMatchObject({
      ok: false,
      checked: 6,
      firstBad: { sequence: 7, head: 2, problem: 'tail-truncated' },
    });
    expect(verdict.firstBad?.detail).toMatch(/signed head 2 was published for entry 8, but the journal ends at entry 6/);

    // Everything gone, the chain's registration too: the witness still remembers.
    await Promise.all([entries.deleteMany({}), heads.deleteMany({}), journalCollections(db).chains.deleteMany({})]);
    const gone = await verifyJournal(db, full());
    expect(gone.firstBad).toMatchObject({ chain: 'hub', sequence: 1, problem: 'chain-missing' });
    expect(gone.firstBad?.detail).toMatch(/the witness holds 3 signed head\(s\) for it: its entries were deleted/);
  });

  it('R35: a signed head deleted from the middle of the chain is refused as head-deleted, naming the head', async () => {
    const { db, heads } = await signedJournal(3);
    await heads.deleteOne({ _id: 2 });
    const verdict = await verifyJournal(db, { publicKey });
    expect(verdict).toMatchObject({ ok: false, firstBad: { sequence: 5, head: 2, problem: 'head-deleted' } });
    expect(verdict.firstBad?.detail).toBe('signed head 2 is missing: the chain of heads jumps from head 1 to head 3');
  });

  it('R35: a signed head changed in the store is refused: by its signature, by the witness, and by the entry it names', async () => {
    const { db, heads } = await signedJournal(3);
    await heads.updateOne({ _id: 2 }, { $set: { entry: 7 } });
    expect((await verifyJournal(db, full())).firstBad).toMatchObject({ head: 2, problem: 'bad-head-signature' });
    expect((await verifyJournal(db, { witness })).firstBad).toMatchObject({ head: 2, problem: 'witness-mismatch' });
    expect((await verifyJournal(db)).firstBad).toMatchObject({ sequence: 7, head: 2, problem: 'head-mismatch' });
  });

  it('R35: a forged retention record is refused: signed with another key, or without a key check by its dates', async () => {
    const { db, entries, heads, retention } = await signedJournal(3);
    const [fifth, firstHead] = await Promise.all([entries.findOne({ _id: 5 }), heads.findOne({ _id: 1 })]);
    await entries.deleteMany({ _id: { $lte: 5 } });
    await heads.deleteMany({ _id: { $lte: 1 } });
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    await retention.insertOne(signRetentionRecord(chainHead(fifth!), linkOf(firstHead!), otherKey, addYears(fifth!.at, 2)));

    const withKey = await verifyJournal(db, full());
    expect(withKey).toMatchObject({ ok: false, firstBad: { sequence: 5, problem: 'bad-retention-record' } });
    expect(withKey.firstBad?.detail).toMatch(/does not verify with the hub's public key/);
    expect((await verifyJournal(db, { witness })).firstBad).toMatchObject({
      problem: 'bad-retention-record',
      detail: expect.stringMatching(/in the future/),
    });

    await retention.deleteMany({});
    await retention.insertOne(signRetentionRecord(chainHead(fifth!), linkOf(firstHead!), otherKey));
    expect((await verifyJournal(db, { witness })).firstBad).toMatchObject({
      problem: 'bad-retention-record',
      detail: expect.stringMatching(/kept less than the 2 years/),
    });
  });

  it('R35: honest retention removes only expired entries and their heads under a signed, journaled record, and the journal still verifies', async () => {
    const db = freshDb();
    const { entries, retention } = journalCollections(db);
    await writeOldChain(db, 6, witness);
    await signedJournal(2, 3, db);
    expect(await verifyJournal(db, full())).toMatchObject({ ok: true, checked: 12, signedHeads: 4 });

    const journal = await Journal.open(db, { signingKey: privateKey, witness });
    const outcome = await removeExpiredEntries(db, { signingKey: privateKey, journal, witness, officer: 'auditor-1' });
    await journal.close();
    expect(outcome).toMatchObject({ records: [{ through: 6, headsThrough: 2 }], deleted: { entries: 6, heads: 2 } });
    expect(await retention.countDocuments()).toBe(1);
    expect((await entries.find({}).sort({ _id: 1 }).limit(1).toArray())[0]?._id).toBe(7);
    const [removal] = await entries.find({ act: 'retention' }).toArray();
    expect(removal).toMatchObject({ action: 'remove-expired', actor: { officer: 'auditor-1' }, decision: 'done' });

    expect(await verifyJournal(db, full())).toMatchObject({
      ok: true,
      checked: 7,
      removedThrough: 6,
      witness: { where: 'Kafka topic dancu.journal-heads.v1' },
    });
    // Heads 1 and 2 are still in the witness, as removed by retention; taking more than the record says is not.
    await entries.deleteOne({ _id: 7 });
    expect((await verifyJournal(db, full())).firstBad).toMatchObject({ sequence: 7, problem: 'prefix-deleted' });
  });

  it('R35: the retention job refuses a journal that does not verify, and removes nothing that has not expired', async () => {
    const { db, entries, retention } = await signedJournal(2);
    const journal = await Journal.open(db, { signingKey: privateKey, witness });
    try {
      expect(await removeExpiredEntries(db, { signingKey: privateKey, journal, witness })).toEqual({
        records: [],
        deleted: { entries: 0, heads: 0 },
      });
      await entries.updateOne({ _id: 3 }, { $set: { decision: 'refused' } });
      await expect(removeExpiredEntries(db, { signingKey: privateKey, journal, witness })).rejects.toThrow(
        /retention refused: the journal does not verify \(the shared chain, entry 3 edited/,
      );
      expect(await retention.countDocuments()).toBe(0);
    } finally {
      await journal.close();
    }
  });

  it('R35: `dancu journal remove-expired` runs the retention job with the hub key, and `dancu journal verify` then accepts the shorter journal', async () => {
    const db = freshDb();
    await writeOldChain(db, 6, witness);
    await signedJournal(1, 3, db);
    const pki = mkdtempSync(join(tmpdir(), 'dancu-pki-'));
    try {
      writeFileSync(join(pki, 'hub-signing.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(join(pki, 'hub-signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const env = cliEnv({ DANCU_DB: db.databaseName, DANCU_PKI_DIR: pki });
      const removal = await run(process.execPath, [DANCU_BIN, 'journal', 'remove-expired'], {
        env,
      });
      expect(removal.stdout).toMatch(
        /^the shared chain: entries 1…6 and signed heads 1…2 are covered by the retention record of .*\nthis run deleted 6 entries and 2 heads/,
      );
      const verified = await run(process.execPath, [DANCU_BIN, 'journal', 'verify'], { env });
      expect(verified.stdout).toMatch(
        /^journal ok: 4 entries, 2 signed heads, 6 entries removed by signed retention records \(signatures checked with .*; outside witness checked: 4 heads/,
      );
    } finally {
      rmSync(pki, { recursive: true, force: true });
    }
  });

  it('R35: `dancu journal verify` and `dancu journal heads` check against the witness, say when they could not, and exit 1 on a tail cut with its heads', async () => {
    const { db, entries, heads } = await signedJournal(3);
    const pki = mkdtempSync(join(tmpdir(), 'dancu-pki-'));
    try {
      writeFileSync(join(pki, 'hub-signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const env = cliEnv({ DANCU_DB: db.databaseName, DANCU_PKI_DIR: pki });
      const dancu = (...args: string[]) => dancuWith(env, ...args);
      const dancuWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
        run(process.execPath, [DANCU_BIN, 'journal', ...args], { env }).then(
          ({ stdout }) => ({ code: 0, stdout }),
          (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
        );

      const ok = await dancu('verify');
      expect(ok).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(
          /^journal ok: 12 entries, 3 signed heads \(signatures checked with .*; outside witness checked: 3 heads in Kafka topic dancu\.journal-heads\.v1\)/,
        ),
      });
      const listed = await dancu('heads');
      expect(listed.code).toBe(0);
      expect(listed.stdout.split('\n').filter((line) => / same$/.test(line))).toHaveLength(3);

      await entries.deleteMany({ _id: { $gt: 8 } });
      await heads.deleteMany({ _id: 3 });
      const cut = await dancu('verify');
      expect(cut.code).toBe(1);
      expect(cut.stdout).toMatch(/^journal tampered: entry 9 \(signed head 3\) tail-truncated in the shared chain — /);
      const storeAlone = await dancu('verify', '--no-witness');
      expect(storeAlone).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/outside witness NOT checked, left out \(--no-witness\)/),
      });
      const noKafka = await dancuWith({ ...env, KAFKA_BROKERS: '127.0.0.1:1' }, 'verify');
      expect(noKafka).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/outside witness NOT checked, unreachable \(no broker of 127\.0\.0\.1:1 accepts/),
      });
      const missing = await dancu('heads');
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/^hub +3 .* missing from the store$/m);
    } finally {
      rmSync(pki, { recursive: true, force: true });
    }
  });
});

/**
 * Entries 1…count written just over two years ago by an earlier hub (now expired), with a signed
 * head after every third, published like any other head.
 */
async function writeOldChain(db: Db, count: number, witness: HeadWitness): Promise<void> {
  const { entries, heads } = journalCollections(db);
  const written = Date.now() - 2 * 366 * 24 * 3_600_000;
  const chain: JournalEntry[] = [];
  const signed: SignedHead[] = [];
  for (let sequence = 1; sequence <= count; sequence += 1) {
    const at = new Date(written + sequence * 1_000);
    const previousHash = chain.at(-1)?.hash ?? GENESIS_HASH;
    const entry = sealEntry({
      _id: sequence,
      ...lookup(sequence),
      at,
      expiresAt: addYears(at, 2),
      writer: 'an old hub',
      previousHash,
    });
    chain.push(entry);
    if (sequence % 3 === 0) {
      const previous = signed.at(-1);
      signed.push(signHead({ sequence, hash: entry.hash, at }, previous ? linkOf(previous) : NO_HEAD, privateKey as KeyObject, at));
    }
  }
  await entries.insertMany(chain);
  await heads.insertMany(signed);
  await witness.publish(db.databaseName, signed);
}

/** An entry as the end of its chain, for signing a record over it. */
function chainHead(entry: JournalEntry): { sequence: number; hash: string; at: Date } {
  return { sequence: placeOf(entry).sequence, hash: entry.hash, at: entry.at };
}
