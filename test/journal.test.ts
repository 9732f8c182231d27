import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEntry } from '../hub/journal/hash-chain.ts';
import { addYears, Journal } from '../hub/journal/journal.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import { JournalError, JournalUnavailable } from '../hub/journal/journal-error.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN, uniqueName } from './harness.ts';
import { lookup } from './journal-fixture.ts';

const run = promisify(execFile);

describe('the journal on the real FerretDB', () => {
  let client: MongoClient;
  const databases: Db[] = [];
  /** Insert commands sent for the journal, and the entries in each. */
  const inserts: { database: string; documents: number }[] = [];

  function freshDb(): Db {
    const db = client.db(uniqueName('dancu_journal'));
    databases.push(db);
    return db;
  }

  async function journalOf(count: number, db = freshDb(), options: Parameters<typeof Journal.open>[1] = {}) {
    const journal = await Journal.open(db, options);
    const receipts = await Promise.all(Array.from({ length: count }, (_, index) => journal.append(lookup(index + 1))));
    return { db, journal, receipts };
  }

  beforeAll(async () => {
    client = new MongoClient(testEndpoints().mongodbUri, { monitorCommands: true });
    client.on('commandStarted', (event) => {
      if (event.commandName === 'insert' && event.command.insert === 'journal') {
        inserts.push({ database: event.databaseName, documents: (event.command.documents as unknown[]).length });
      }
    });
    await client.connect();
  });
  afterAll(async () => {
    for (const db of databases) await db.dropDatabase();
    await client?.close();
  });

  it('R35: appended entries chain, and concurrent appends from one instance share few durable inserts', async () => {
    const db = freshDb();
    const journal = await Journal.open(db);
    const first = await journal.append(lookup(0));
    expect(first.sequence).toBe(1);
    const started = performance.now();
    const receipts = await Promise.all(Array.from({ length: 400 }, (_, index) => journal.append(lookup(index + 1))));
    const seconds = (performance.now() - started) / 1000;
    await journal.close();

    expect(receipts.map((receipt) => receipt.sequence)).toEqual(Array.from({ length: 400 }, (_, index) => index + 2));
    const mine = inserts.filter((insert) => insert.database === db.databaseName);
    // One insert for the first append, then 400 waiting appends in batches of 50.
    expect(mine.length).toBeLessThanOrEqual(1 + 8 + 1);
    expect(journal.writes).toEqual({ inserts: mine.length, entries: 401 });
    console.log(
      `group commit: ${mine.length} inserts for 401 appends (${(401 / mine.length).toFixed(1)} per insert), ${(400 / seconds).toFixed(0)} appends/s`,
    );

    const stored = await journalCollections(db).entries.find({}).sort({ _id: 1 }).toArray();
    expect(stored[1]?.previousHash).toBe(stored[0]?.hash);
    expect(stored[0]?.expiresAt).toEqual(addYears(stored[0]!.at, 2));
    expect(stored[2]).toMatchObject({ actor: lookup(2).actor, citizens: lookup(2).citizens, decision: 'allowed' });
    expect(await verifyJournal(db, { pageSize: 64 })).toEqual({
      ok: true,
      checked: 401,
      signedHeads: 0,
      signaturesChecked: false,
      removedThrough: 0,
      chains: [{ chain: 'hub', checked: 401, signedHeads: 0, removedThrough: 0 }],
    });
  });

  it('R35: two hub instances appending to the same journal at once still produce one valid chain', async () => {
    const db = freshDb();
    const other = new MongoClient(testEndpoints().mongodbUri);
    try {
      const a = await Journal.open(db);
      const b = await Journal.open(other.db(db.databaseName));
      const receipts = [];
      for (let wave = 0; wave < 10; wave += 1) {
        const appends = Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).append(lookup(wave * 20 + index)));
        receipts.push(...(await Promise.all(appends)));
      }
      await Promise.all([a.close(), b.close()]);
      expect(new Set(receipts.map((receipt) => receipt.sequence)).size).toBe(200);
      expect(Math.max(...receipts.map((receipt) => receipt.sequence))).toBe(200);
      expect(await verifyJournal(db)).toMatchObject({ ok: true, checked: 200 });
    } finally {
      await other.close();
    }
  });

  it('R35: an edited entry is detected and named', async () => {
    const { db } = await journalOf(10);
    await journalCollections(db).entries.updateOne({ _id: 4 }, { $set: { decision: 'refused' } });
    const verdict = await verifyJournal(db);
    expect(verdict).toMatchObject({ ok: false, checked: 3, firstBad: { sequence: 4, problem: 'edited' } });
  });

  it('R35: a deleted entry is detected and named', async () => {
    const { db } = await journalOf(10);
    await journalCollections(db).entries.deleteOne({ _id: 6 });
    expect((await verifyJournal(db)).firstBad).toMatchObject({ sequence: 6, problem: 'deleted' });
  });

  it('R35: two swapped entries are detected as reordered and the first named', async () => {
    const { db } = await journalOf(10);
    const { entries } = journalCollections(db);
    const [third, fourth] = await Promise.all([entries.findOne({ _id: 3 }), entries.findOne({ _id: 4 })]);
    const { _id: _three, ...thirdBody } = third!;
    const { _id: _four, ...fourthBody } = fourth!;
    await entries.replaceOne({ _id: 3 }, fourthBody);
    await entries.replaceOne({ _id: 4 }, thirdBody);
    expect((await verifyJournal(db)).firstBad).toEqual({
      chain: 'hub',
      sequence: 3,
      problem: 'reordered',
      detail: 'entry 3 holds the entry written as 4',
    });
  });

  it('R35: a rewritten tail (every hash recomputed after an edit) is caught by the signed head, and a forged head by its signature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { db, journal } = await journalOf(10, freshDb(), { signingKey: privateKey });
    await journal.close();
    const { entries, heads } = journalCollections(db);
    expect(await verifyJournal(db, { publicKey })).toMatchObject({ ok: true, checked: 10, signedHeads: 1 });

    const stored = await entries.find({}).sort({ _id: 1 }).toArray();
    let previousHash = stored[3]!.hash;
    for (const entry of stored.slice(4)) {
      const { hash: _old, ...body } = entry;
      const rewritten = sealEntry({ ...body, previousHash, ...(entry._id === 5 ? { fields: ['fullName', 'address'] } : {}) });
      await entries.replaceOne({ _id: entry._id }, rewritten);
      previousHash = rewritten.hash;
    }
    const rewritten = await verifyJournal(db, { publicKey });
    expect(rewritten).toMatchObject({ ok: false, checked: 9, firstBad: { sequence: 10, problem: 'head-mismatch' } });

    await heads.updateOne({ _id: 1 }, { $set: { hash: previousHash } });
    expect((await verifyJournal(db, { publicKey })).firstBad).toMatchObject({ sequence: 1, head: 1, problem: 'bad-head-signature' });
  });

  it('R35: a retention shorter than two years is refused at open', async () => {
    const refusal = Journal.open(freshDb(), { retentionYears: 1 });
    await expect(refusal).rejects.toBeInstanceOf(JournalError);
    await expect(refusal).rejects.toThrow(/kept at least 2 years; set retentionYears/);
  });

  it('R35: append rejects with JournalUnavailable when the store is unreachable, and a later append continues the chain', async () => {
    const db = freshDb();
    const proxy = await storeProxy();
    const viaProxy = new MongoClient(`mongodb://127.0.0.1:${proxy.port}/`, { serverSelectionTimeoutMS: 1_000, socketTimeoutMS: 2_000 });
    try {
      const journal = await Journal.open(viaProxy.db(db.databaseName));
      expect(await journal.append(lookup(1))).toMatchObject({ sequence: 1 });
      await proxy.stop();
      const refused = await Promise.allSettled([journal.append(lookup(2)), journal.append(lookup(3))]);
      for (const outcome of refused) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(JournalUnavailable);
      }
      await proxy.start();
      expect(await journal.append(lookup(4))).toMatchObject({ sequence: expect.any(Number) });
      expect(await verifyJournal(db)).toMatchObject({ ok: true });
    } finally {
      await proxy.stop();
      await viaProxy.close();
    }
  });

  it('R35: the journal is queried newest first by citizen, system, agreement and time', async () => {
    const { db, receipts } = await journalOf(12);
    const all = await queryJournal(db, { limit: 1_000 });
    expect(all.map((entry) => entry._id)).toEqual(receipts.map((receipt) => receipt.sequence).reverse());
    expect((await queryJournal(db, { citizen: lookup(7).citizens[0]! })).map((entry) => entry._id)).toEqual([7]);
    expect((await queryJournal(db, { system: 'CN=system-1' })).map((entry) => entry._id)).toEqual([10, 7, 4, 1]);
    expect((await queryJournal(db, { agreement: 'agr-0', limit: 2 })).map((entry) => entry._id)).toEqual([12, 10]);
    expect(await queryJournal(db, { since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await queryJournal(db, { until: all.at(-1)!.at })).toEqual([]);
  });

  it('R35: `dancu journal verify` says ok, then exits 1 on a tampered journal and names the entry', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { db, journal } = await journalOf(5, freshDb(), { signingKey: privateKey });
    await journal.close();
    const pki = mkdtempSync(join(tmpdir(), 'dancu-pki-'));
    try {
      writeFileSync(join(pki, 'hub-signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const env = cliEnv({ DANCU_DB: db.databaseName, DANCU_PKI_DIR: pki });
      const ok = await run(process.execPath, [DANCU_BIN, 'journal', 'verify'], { env });
      expect(ok.stdout).toMatch(/^journal ok: 5 entries, 1 signed heads \(signatures checked with /);

      await journalCollections(db).entries.updateOne({ _id: 2 }, { $set: { fields: ['fullName', 'address'] } });
      const tampered = await run(process.execPath, [DANCU_BIN, 'journal', 'verify'], { env }).catch(
        (error: { code: number; stdout: string }) => error,
      );
      expect('code' in tampered ? tampered.code : 0).toBe(1);
      expect(tampered.stdout).toMatch(/^journal tampered: entry 2 edited in the shared chain/);
    } finally {
      rmSync(pki, { recursive: true, force: true });
    }
  });
});

/** A TCP relay to the store that the test can cut and restore, so the store becomes unreachable for real. */
async function storeProxy() {
  const target = new URL(testEndpoints().mongodbUri);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const relay = {
    port,
    async start() {
      server = createServer((inbound) => {
        const outbound = connect(Number(target.port || 27017), target.hostname);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      relay.port = port;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      if (server?.listening) await new Promise((resolve) => server!.close(resolve));
    },
  };
  await relay.start();
  return relay;
}
