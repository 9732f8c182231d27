// One journal chain per hub instance (R35): instances never race for sequence numbers, each chain
// has its own signed heads and retention, the shared chain of earlier journals verifies unchanged
// beside them, and a chain deleted whole is named. On the real Kafka (the witness) and FerretDB.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Db, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { Journal } from '../hub/journal/journal.ts';
import { chainEntries, chainHeads, placeOf, SHARED_CHAIN } from '../hub/journal/journal-chain.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN } from './harness.ts';
import { journalTestWorld, lookup } from './journal-fixture.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const run = promisify(execFile);

describe('one journal chain per hub instance', () => {
  const { witness, freshDb } = journalTestWorld('dancu_chains');
  const full = () => ({ publicKey, witness });

  /** `count` entries appended all at once on `chain` (undefined: the shared chain), with a signed head, then closed. */
  async function appendOn(db: Db, chain: string | undefined, count: number, offset = 0): Promise<void> {
    const journal = await Journal.open(db, { signingKey: privateKey, witness, ...(chain ? { chain } : {}) });
    await Promise.all(Array.from({ length: count }, (_, index) => journal.append(lookup(offset + index + 1))));
    await journal.close();
  }

  it('R35: two hub instances appending at once each write a gap-free chain of their own with its own signed heads, and verify checks both', async () => {
    const db = freshDb();
    const other = new MongoClient(testEndpoints().mongodbUri);
    await other.connect();
    try {
      const a = await Journal.open(db, { chain: 'hub-a', signingKey: privateKey, witness });
      const b = await Journal.open(other.db(db.databaseName), { chain: 'hub-b', signingKey: privateKey, witness });
      const receipts = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).append(lookup(index + 1))));
      await Promise.all([a.close(), b.close()]);
      // Each receipt names its chain, and each chain numbers its own entries from 1, with no race.
      for (const chain of ['hub-a', 'hub-b']) {
        const sequences = receipts.filter((receipt) => receipt.chain === chain).map((receipt) => receipt.sequence);
        expect(sequences.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
      }
      const { entries, heads, chains } = journalCollections(db);
      const stored = await entries.findOne({ _id: 'hub-a:3' });
      expect(stored).toMatchObject({ chain: 'hub-a', sequence: 3 });
      expect(await heads.findOne(chainHeads('hub-b'))).toMatchObject({ _id: 'hub-b:1', chain: 'hub-b', number: 1, entry: 20 });
      expect((await chains.find({}).sort({ _id: 1 }).toArray()).map((chain) => chain._id)).toEqual(['hub-a', 'hub-b']);
      expect(await verifyJournal(db, full())).toMatchObject({
        ok: true,
        checked: 40,
        signedHeads: 2,
        chains: [
          { chain: 'hub-a', checked: 20, signedHeads: 1 },
          { chain: 'hub-b', checked: 20, signedHeads: 1 },
        ],
        witness: { heads: 2 },
      });
    } finally {
      await other.close();
    }
  });

  it('R35: a journal written before per-instance chains keeps its format on the shared chain and verifies unchanged beside the new chains', async () => {
    const db = freshDb();
    await appendOn(db, undefined, 5);
    await appendOn(db, 'hub-a', 5);
    await appendOn(db, undefined, 3, 5); // a CLI command later: the shared chain goes on
    const { entries, heads } = journalCollections(db);
    const shared = await entries.find(chainEntries(SHARED_CHAIN)).sort({ _id: 1 }).toArray();
    expect(shared.map((entry) => entry._id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shared.every((entry) => entry.chain === undefined && entry.sequence === undefined)).toBe(true);
    expect((await heads.find(chainHeads(SHARED_CHAIN)).sort({ _id: 1 }).toArray()).map((head) => head._id)).toEqual([1, 2]);
    expect(await verifyJournal(db, full())).toMatchObject({
      ok: true,
      checked: 13,
      signedHeads: 3,
      chains: [
        { chain: 'hub', checked: 8, signedHeads: 2 },
        { chain: 'hub-a', checked: 5, signedHeads: 1 },
      ],
    });
  });

  it('R35: an entry edited on one chain is named with its chain and sequence; the other chain is not blamed', async () => {
    const db = freshDb();
    await appendOn(db, 'hub-a', 4);
    await appendOn(db, 'hub-b', 4);
    await journalCollections(db).entries.updateOne({ _id: 'hub-b:2' }, { $set: { decision: 'refused' } });
    expect((await verifyJournal(db, full())).firstBad).toMatchObject({ chain: 'hub-b', sequence: 2, problem: 'edited' });
  });

  it('R35: an entry moved to another chain no longer verifies there', async () => {
    const db = freshDb();
    await appendOn(db, 'hub-a', 3);
    await appendOn(db, 'hub-b', 3);
    const { entries } = journalCollections(db);
    const moved = (await entries.findOne({ _id: 'hub-a:3' }))!;
    await entries.deleteOne({ _id: 'hub-a:3' });
    await entries.insertOne({ ...moved, _id: 'hub-b:4', chain: 'hub-b', sequence: 4 });
    const verdict = await verifyJournal(db, full());
    expect(verdict.firstBad).toMatchObject({ chain: 'hub-a', sequence: 3, problem: 'tail-truncated' });
    await entries.insertOne(moved); // back where it was: only the copy on hub-b is wrong now
    expect((await verifyJournal(db, full())).firstBad).toMatchObject({ chain: 'hub-b', sequence: 4, problem: 'edited' });
  });

  it('R35: a chain deleted whole is reported as chain-missing, by its registration, and by the witness once the registration is gone too', async () => {
    const db = freshDb();
    await appendOn(db, 'hub-a', 3);
    await appendOn(db, 'hub-b', 3);
    expect(await verifyJournal(db, full())).toMatchObject({ ok: true, checked: 6 });
    const { entries, heads, chains } = journalCollections(db);
    await entries.deleteMany(chainEntries('hub-b'));
    await heads.deleteMany(chainHeads('hub-b'));
    const byRegistration = await verifyJournal(db, { publicKey });
    expect(byRegistration).toMatchObject({ ok: false, firstBad: { chain: 'hub-b', sequence: 1, problem: 'chain-missing' } });
    expect(byRegistration.firstBad?.detail).toMatch(/^chain hub-b holds no entry, but it was registered in journal_chains at /);

    await chains.deleteOne({ _id: 'hub-b' });
    expect(await verifyJournal(db, { publicKey })).toMatchObject({ ok: true, checked: 3 }); // the store alone cannot tell
    const byWitness = await verifyJournal(db, full());
    expect(byWitness.firstBad).toMatchObject({ chain: 'hub-b', problem: 'chain-missing' });
    expect(byWitness.firstBad?.detail).toMatch(/the witness holds 1 signed head\(s\) for it/);
  });

  it('R35: `dancu journal verify` prints a line per chain, and exits 1 naming a chain that went missing', async () => {
    const db = freshDb();
    await appendOn(db, 'hub-a', 2);
    await appendOn(db, 'hub-b', 3);
    const pki = mkdtempSync(join(tmpdir(), 'dancu-pki-'));
    try {
      writeFileSync(join(pki, 'hub-signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const env = cliEnv({ DANCU_DB: db.databaseName, DANCU_PKI_DIR: pki });
      const verify = () =>
        run(process.execPath, [DANCU_BIN, 'journal', 'verify', '--no-witness'], { env }).catch(
          (error: { code: number; stdout: string }) => error,
        );
      const ok = await verify();
      expect(ok.stdout).toMatch(/^journal ok: 5 entries, 2 signed heads /);
      expect(ok.stdout).toMatch(/^ {2}chain hub-a: 2 entries, 1 signed heads$/m);
      expect(ok.stdout).toMatch(/^ {2}chain hub-b: 3 entries, 1 signed heads$/m);

      const { entries, heads } = journalCollections(db);
      await Promise.all([entries.deleteMany(chainEntries('hub-a')), heads.deleteMany(chainHeads('hub-a'))]);
      const missing = await verify();
      expect('code' in missing ? missing.code : 0).toBe(1);
      expect(missing.stdout).toMatch(
        /^journal tampered: entry 1 chain-missing in chain hub-a — chain hub-a holds no entry, but it was registered/,
      );
    } finally {
      rmSync(pki, { recursive: true, force: true });
    }
  });

  it('R35: receipts and stored entries agree on each entry’s place', async () => {
    const db = freshDb();
    const journal = await Journal.open(db, { chain: 'hub-c' });
    const receipt = await journal.append(lookup(1));
    await journal.close();
    const stored = (await journalCollections(db).entries.findOne({ _id: 'hub-c:1' }))!;
    expect(receipt).toEqual({ chain: 'hub-c', sequence: 1, hash: stored.hash });
    expect(placeOf(stored)).toEqual({ chain: 'hub-c', sequence: 1 });
  });

  it('R35: `dancu journal query --entry <chain>:<sequence>` finds the one entry an answer quoted, on any chain; a malformed reference is refused', async () => {
    const db = freshDb();
    await appendOn(db, 'hub-a', 2);
    await appendOn(db, 'hub-b', 3);
    const env = cliEnv({ DANCU_DB: db.databaseName });
    const query = (entry: string) =>
      run(process.execPath, [DANCU_BIN, 'journal', 'query', '--entry', entry, '--json'], { env }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const found = await query('hub-b:2');
    const lines = found.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ _id: 'hub-b:2', chain: 'hub-b', sequence: 2 });
    expect((await query('hub-a:3')).stdout.trim()).toBe(''); // hub-a has two entries
    const bad = await query('hub-a:0');
    expect('code' in bad ? bad.code : 0).not.toBe(0);
    expect(bad.stderr).toContain('a journal entry is quoted as <chain>:<sequence>');
  });

  it('a chain name that is not an instance id is refused at open', async () => {
    await expect(Journal.open(freshDb(), { chain: 'hub:1' })).rejects.toThrow(/a journal chain \(a hub instance id\) is 1–64 letters/);
  });
});
