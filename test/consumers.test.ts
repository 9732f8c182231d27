// The consumer connectors against the real hub API on mutual TLS, Kafka and FerretDB: a sector's
// replica fed by WatchChanges from the real ingest path, a procedure portal run through the CLI,
// and a bank's eKYC waiting for the citizen's consent.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ekycChecks } from '../connectors/consumers/ekyc/check-customer.ts';
import { type CallScope, HubClient } from '../connectors/consumers/hub-client.ts';
import { runJsonlBatch } from '../connectors/consumers/jsonl-batch.ts';
import { Refused } from '../connectors/consumers/refused.ts';
import { type ApplyOutcome, REPLICA_COLLECTION, STATE_COLLECTION } from '../connectors/consumers/sync/replica.ts';
import type { ReplicaCitizen } from '../connectors/consumers/sync/replica-citizen.ts';
import { runSyncConsumer, type SyncSummary } from '../connectors/consumers/sync/sync-consumer.ts';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import { type Change, ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { OperationsClient } from '../proto/gen/dancu/operations/v1/operations.ts';
import type { CitizenChange } from '../schemas/types.ts';
import { testEndpoints } from './endpoints.ts';
import { type Consumer, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN, publishEvents, startTestHub, type TestHub, tapTopic, uniqueName, waitFor } from './harness.ts';

const run = promisify(execFile);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BOOKKEEPING = new Set(['_id', 'appliedChangeIds', 'updatedAt', 'heldUnder']);

function scopeOf(consumer: Consumer, purpose: string): CallScope {
  return { agreementId: consumer.agreementId, purpose, officerId: 'officer-17' };
}

async function streamOpened(fx: ExchangeFixture, system: string, count: number): Promise<void> {
  await waitFor(`stream ${count} of ${system} to open`, async () => {
    const entries = await queryJournal(fx.store.db, { system, limit: 1000 });
    return entries.filter((entry) => entry.action === 'WatchChanges' && entry.detail === 'stream opened').length >= count;
  });
  await settle(1_500); // the stream's Kafka tail joins its group after the journal entry
}

describe('consumer connectors', () => {
  let ingest: TestHub;
  let fx: ExchangeFixture;
  let mongo: MongoClient;
  let workDir: string;

  beforeAll(async () => {
    // One database for the ingest and the API, so the citizens the ingest writes can be looked up.
    ingest = await startTestHub();
    fx = await startExchangeFixture({ database: ingest.database, journal: ingest.hub.journal });
    mongo = new MongoClient(testEndpoints().mongodbUri);
    await mongo.connect();
    workDir = await mkdtemp(join(tmpdir(), 'dancu-consumers-'));
  });
  afterAll(async () => {
    await ingest?.stop();
    await fx?.stop();
    await mongo?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('R41, R15, R3: the sync consumer (a sectoral database) replicates exactly the granted fields, each recording the agreement it is held under; stopped, rewound and restarted while changes keep coming, it applies every change once, without gaps', async () => {
    const sector = await fx.register({
      organisation: 'moh',
      category: 'CENTRAL_STATE_BODY',
      system: 'moh-replica',
      services: ['WatchChanges'],
      purposes: ['HEALTH_INSURANCE'],
      grants: [
        { field: 'fullName', modes: ['disclose'] },
        { field: 'dateOfBirth', modes: ['match'] }, // match only: never streamed
        { field: 'permanentAddress', modes: ['disclose'] },
        { field: 'bloodType', modes: ['disclose'] },
      ],
    });
    const disclosed = new Set(['fullName', 'permanentAddress', 'bloodType']);
    const replicaDb: Db = mongo.db(uniqueName('moh_replica'));
    const client = new HubClient(sector.exchange, scopeOf(sector, 'HEALTH_INSURANCE'));
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1_000_000_000) + 1, citizens: 15 });
    const mine = new Set(events.map((event) => event.personalId));
    const received: { change: Change; outcome: ApplyOutcome; run: number }[] = [];
    const sync = (runNumber: number) => {
      const controller = new AbortController();
      const done = runSyncConsumer({
        client,
        db: replicaDb,
        signal: controller.signal,
        onChange: (change, outcome) => mine.has(change.personalId) && received.push({ change, outcome, run: runNumber }),
      });
      return { stop: async (): Promise<SyncSummary> => (controller.abort(), done), done };
    };
    const thirds = [
      events.slice(0, events.length / 3),
      events.slice(events.length / 3, (2 * events.length) / 3),
      events.slice((2 * events.length) / 3),
    ];
    const tap = await tapTopic(CHANGES_TOPIC);
    try {
      // Run 1 follows from now; stop it while the first third is still flowing.
      const first = sync(1);
      await streamOpened(fx, 'moh-replica', 1);
      await publishEvents(thirds[0]!);
      await waitFor('a few changes in the replica', async () => received.length >= 4);
      await first.stop();

      // A crash between applying and storing the cursor: the replica holds changes the stored
      // cursor does not cover yet. Rewind the cursor to just after the first change.
      const rewoundTo = received[0]!.change.cursor;
      await replicaDb.collection(STATE_COLLECTION).updateOne({ _id: sector.agreementId as never }, { $set: { cursor: rewoundTo } });

      // Changes keep coming while it is down, and after it is back.
      await publishEvents(thirds[1]!);
      const second = sync(2);
      await streamOpened(fx, 'moh-replica', 2);
      await publishEvents(thirds[2]!);

      // What was published for our citizens in the fields the agreement discloses, in topic order.
      // Test hubs of other worktrees on the same Kafka also ingest our events and publish their
      // changes again, with the same stable ids: a repeat the replica must drop like any other.
      await waitFor(
        'the ingest to apply every event',
        async () => (await ingest.store.history.countDocuments({ _id: { $in: events.map((event) => event.eventId) } })) === events.length,
        120_000,
      );
      await settle(1_000);
      const publishedChanges = () =>
        tap.records
          .map((record) => JSON.parse(record.value!.toString()) as CitizenChange)
          .filter((change) => mine.has(change.personalId) && disclosed.has(change.field));
      const publishedIds = new Set(publishedChanges().map((change) => change.changeId));
      expect(publishedIds.size).toBeGreaterThan(10);
      const appliedIds = () => received.filter((entry) => entry.outcome === 'applied').map((entry) => entry.change.changeId);
      await waitFor('every published change in the replica', async () => {
        const applied = new Set(appliedIds());
        return [...publishedIds].every((id) => applied.has(id));
      });
      await settle(1_000);
      const summary = await second.stop();
      await settle(500);
      const published = publishedChanges();

      // Exactly once and no gap: every change published applied once across both runs, nothing
      // applied that was not published; what run 1 applied after the rewound cursor came again
      // in run 2 and was dropped.
      const applied = appliedIds();
      expect(new Set(applied).size).toBe(applied.length);
      expect([...publishedIds].filter((id) => !applied.includes(id))).toEqual([]);
      expect(applied.filter((id) => !published.some((change) => change.changeId === id))).toEqual([]);
      const runOneAfterCursor = received
        .filter((entry) => entry.run === 1)
        .slice(1)
        .map((entry) => entry.change.changeId);
      const droppedInRunTwo = new Set(
        received.filter((entry) => entry.run === 2 && entry.outcome === 'already-applied').map((entry) => entry.change.changeId),
      );
      expect(runOneAfterCursor.length).toBeGreaterThan(0);
      expect(runOneAfterCursor.filter((id) => !droppedInRunTwo.has(id))).toEqual([]);
      expect(summary.alreadyApplied).toBeGreaterThanOrEqual(droppedInRunTwo.size);

      // The replica holds exactly the disclosed fields, each at the last change of that field in
      // topic order (repeats dropped).
      const latest = new Map<string, CitizenChange>();
      const seen = new Set<string>();
      for (const change of published.filter((one) => applied.includes(one.changeId))) {
        if (seen.has(change.changeId)) continue;
        seen.add(change.changeId);
        latest.set(`${change.personalId}/${change.field}`, change);
      }
      const replica = await replicaDb.collection<ReplicaCitizen>(REPLICA_COLLECTION).find({}).toArray();
      const heldFields = (citizen: ReplicaCitizen) =>
        Object.entries(citizen).filter(([key]) => !BOOKKEEPING.has(key)) as [
          string,
          { value: unknown; source: string; changeId: string },
        ][];
      const held = new Map<string, { value: unknown; source: string; changeId: string }>(
        replica
          .filter((citizen) => mine.has(citizen._id))
          .flatMap((citizen) => heldFields(citizen).map(([field, value]) => [`${citizen._id}/${field}`, value] as const)),
      );
      expect([...held.keys()].sort()).toEqual([...latest.keys()].sort());
      for (const [key, change] of latest)
        expect(held.get(key), key).toMatchObject({
          changeId: change.changeId,
          value: change.value ?? null,
          source: change.source,
          agreement: sector.agreementId,
        });
      // R15: the replica records the agreement (and so its onward-sharing term) it holds the data under.
      expect(replica.filter((citizen) => mine.has(citizen._id)).every((citizen) => citizen.heldUnder === sector.agreementId)).toBe(true);

      // With our hub the only publisher, that is also what the population store holds now.
      if (published.length === seen.size) {
        const stored = await ingest.store.readCitizens([...mine]);
        for (const [personalId, document] of stored) {
          for (const [field, version] of Object.entries(document.fields).filter(([name]) => disclosed.has(name))) {
            expect(held.get(`${personalId}/${field}`)?.value, `${personalId}/${field}`).toEqual(version.value ?? null);
          }
        }
      }
      const state = await replicaDb.collection(STATE_COLLECTION).findOne({ _id: sector.agreementId as never });
      expect(state?.cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    } finally {
      await tap.stop();
      await replicaDb.dropDatabase();
    }
  });

  it('R41, R22: the sync consumer stops with the reason when the agreement is suspended, and waits out an unreachable hub', async () => {
    const sector = await fx.register({
      organisation: 'mof',
      category: 'CENTRAL_STATE_BODY',
      system: 'mof-replica',
      services: ['WatchChanges'],
      purposes: ['TAX_ADMINISTRATION'],
      grants: [{ field: 'permanentAddress', modes: ['disclose'] }],
    });
    const replicaDb = mongo.db(uniqueName('mof_replica'));
    try {
      const scope = scopeOf(sector, 'TAX_ADMINISTRATION');
      const stopped = runSyncConsumer({
        client: new HubClient(sector.exchange, scope),
        db: replicaDb,
        signal: new AbortController().signal,
      });
      const outcome = stopped.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await streamOpened(fx, 'mof-replica', 1);
      await fx.api.registry.suspendAgreement(sector.agreementId, 'c06-head', 'Audit');
      const refused = await outcome;
      expect(refused).toBeInstanceOf(Refused);
      expect(refused).toMatchObject({
        status: status.PERMISSION_DENIED,
        reason: 'AGREEMENT_SUSPENDED',
        code: 'AGREEMENT_SUSPENDED',
        retryable: false,
      });

      const nowhere = new HubClient(new ExchangeClient('localhost:1', sector.credentials), scope);
      const controller = new AbortController();
      const waiting = runSyncConsumer({ client: nowhere, db: replicaDb, signal: controller.signal, backoff: { initialMs: 20, maxMs: 50 } });
      await settle(1_000);
      controller.abort();
      expect((await waiting).reconnects).toBeGreaterThanOrEqual(2);
    } finally {
      await replicaDb.dropDatabase();
    }
  });

  it('R26, R41: a sync consumer reports heartbeats through the hub; operators see it healthy while it runs and down once it stops', async () => {
    const sector = await fx.register({
      organisation: 'mod',
      category: 'CENTRAL_STATE_BODY',
      system: 'mod-replica',
      services: ['WatchChanges'],
      purposes: ['RESIDENCE_MANAGEMENT'],
      grants: [{ field: 'permanentAddress', modes: ['disclose'] }],
    });
    const replicaDb = mongo.db(uniqueName('mod_replica'));
    const operations = new OperationsClient(fx.address, sector.credentials);
    const client = new HubClient(sector.exchange, scopeOf(sector, 'RESIDENCE_MANAGEMENT'), operations);
    const controller = new AbortController();
    try {
      // dancu.heartbeats.v1 keeps a day of beats, earlier runs' included: a name of this run's own.
      const connectorId = uniqueName('mod-replica.sync');
      const running = runSyncConsumer({
        client,
        db: replicaDb,
        signal: controller.signal,
        heartbeat: { connector: connectorId, intervalMs: 300 },
      });
      const seen = await waitFor(
        'the consumer among the connectors',
        async () => ingest.monitor.connectors().find((each) => each.connector === connectorId),
        30_000,
      );
      expect(seen).toMatchObject({ kind: 'consumer', topic: 'dancu.changes.v1', state: 'healthy' });
      controller.abort();
      await running;
      const stopped = await waitFor(
        'the consumer down after its clean stop',
        async () => ingest.monitor.connectors().find((each) => each.connector === connectorId && each.state === 'down'),
        30_000,
      );
      expect(stopped.reason).toMatch(/stopped cleanly/);

      // A system may only report beats under its own name.
      const foreign = await call(operations, 'reportHeartbeat', {
        agreementId: sector.agreementId,
        connector: 'vss-insurance.sync',
        state: 'running',
        read: 0,
        checkpoint: 0,
        published: 0,
        rejected: 0,
        skipped: 0,
        lastError: '',
        version: '1',
        intervalMs: 5000,
      });
      expect(foreign).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    } finally {
      controller.abort();
      operations.close();
      await replicaDb.dropDatabase();
    }
  });

  it('R22, R3: the portal CLI (a public-service portal) checks each dossier with its id as the case reference: found and matching, wrong name not found, wrong address a mismatch', async () => {
    const portal = await fx.register({
      organisation: 'hanoi-dpc',
      category: 'CENTRAL_STATE_BODY',
      system: 'hanoi-portal',
      services: ['Lookup', 'Verify'],
      purposes: ['ADMINISTRATIVE_PROCEDURE'],
      grants: [
        { field: 'fullName', modes: ['disclose', 'match'] },
        { field: 'dateOfBirth', modes: ['disclose', 'match'] },
        { field: 'permanentAddress', modes: ['disclose', 'match'] },
        { field: 'sex', modes: ['disclose'] },
      ],
    });
    const [a, b, c] = fx.citizens.filter((citizen) => citizen.fields.permanentAddress?.value);
    const dossier = (
      id: string,
      citizen: CitizenDocument,
      changes: Record<string, unknown> = {},
      declared: Record<string, unknown> = { permanentAddress: citizen.fields.permanentAddress!.value },
    ) => JSON.stringify({ dossierId: id, ...keyOf(citizen), declared, ...changes });
    const wrongAddress = { ...(c!.fields.permanentAddress!.value as object), detail: 'Số 999 (not the registered one)' };
    const files = {
      ca: join(workDir, 'ca.pem'),
      cert: join(workDir, 'portal.crt.pem'),
      key: join(workDir, 'portal.key.pem'),
      dossiers: join(workDir, 'dossiers.jsonl'),
      out: join(workDir, 'results.jsonl'),
    };
    await writeFile(files.ca, portal.tls.caPem);
    await writeFile(files.cert, portal.tls.certPem);
    await writeFile(files.key, portal.tls.keyPem, { mode: 0o600 });
    await writeFile(
      files.dossiers,
      [
        dossier('HS-001', a!),
        dossier('HS-002', b!, { fullName: `${String(b!.fields.fullName!.value)} Thị` }),
        dossier('HS-003', c!, {}, { permanentAddress: wrongAddress }),
        dossier('HS-004', a!, {}, { sex: a!.fields.sex?.value ?? 'male' }),
        '{"dossierId": "HS-005", "personalId": "12"}',
      ].join('\n'),
    );
    const args = [
      DANCU_BIN,
      'consumer',
      'portal',
      '--hub',
      fx.address,
      '--ca',
      files.ca,
      '--cert',
      files.cert,
      '--key',
      files.key,
      '--agreement',
      portal.agreementId,
      '--purpose',
      'ADMINISTRATIVE_PROCEDURE',
      '--officer',
      'clerk-42',
      '--dossiers',
      files.dossiers,
      '--out',
      files.out,
      '--fields',
      'sex,permanentAddress',
    ];
    // Exit 1: HS-004 is refused and HS-005 is invalid.
    const failed = await run(process.execPath, args, { env: cliEnv() }).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('portal: 5 dossiers');

    const results = (await readFile(files.out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results).toEqual([
      {
        dossierId: 'HS-001',
        outcome: 'matches',
        fields: { ...(a!.fields.sex ? { sex: a!.fields.sex.value } : {}), permanentAddress: a!.fields.permanentAddress!.value },
        matches: { permanentAddress: true },
      },
      { dossierId: 'HS-002', outcome: 'not-found' },
      {
        dossierId: 'HS-003',
        outcome: 'mismatch',
        fields: expect.objectContaining({ permanentAddress: c!.fields.permanentAddress!.value }),
        matches: { permanentAddress: false },
      },
      {
        dossierId: 'HS-004',
        outcome: 'refused',
        call: 'Verify',
        status: 'PERMISSION_DENIED',
        reason: 'FIELD_NOT_GRANTED',
        detail: expect.stringContaining('FIELD_NOT_GRANTED'),
      },
      { outcome: 'invalid', line: 5, detail: expect.stringContaining('personalId') },
    ]);
    const journaled = (await queryJournal(fx.store.db, { system: 'hanoi-portal', limit: 20 })).filter((entry) => entry.act === 'exchange');
    expect(new Set(journaled.map((entry) => entry.caseReference))).toEqual(new Set(['HS-001', 'HS-002', 'HS-003', 'HS-004']));
    expect(journaled.every((entry) => entry.actor.officer === 'clerk-42' && entry.purpose === 'ADMINISTRATIVE_PROCEDURE')).toBe(true);
  });

  it('R12: the eKYC consumer reports awaiting-consent until the citizen consents, then verified (or a mismatch)', async () => {
    const bank = await fx.register({
      organisation: 'acb',
      category: 'CREDIT_INSTITUTION',
      system: 'acb-ekyc',
      services: ['Verify', 'Lookup'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: [
        { field: 'fullName', modes: ['match'] },
        { field: 'dateOfBirth', modes: ['match'] },
        { field: 'permanentAddress', modes: ['disclose'] },
      ],
    });
    const client = new HubClient(bank.exchange, scopeOf(bank, 'EKYC_ACCOUNT_OPENING'));
    const [customer, impostor] = fx.citizens.filter((citizen) => citizen.fields.permanentAddress?.value).slice(-2);
    const customers = join(workDir, 'customers.jsonl');
    const out = join(workDir, 'ekyc.jsonl');
    await writeFile(
      customers,
      [
        JSON.stringify({ customerId: 'KH-1', ...keyOf(customer!) }),
        JSON.stringify({ customerId: 'KH-2', ...keyOf(impostor!), dateOfBirth: '1999-12-31' }),
      ].join('\n'),
    );
    const results = async () =>
      (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(await runJsonlBatch({ input: customers, output: out, ...ekycChecks(client, ['permanentAddress']) })).toEqual({
      'awaiting-consent': 2,
    });
    expect((await results()).map((result) => [result.customerId, result.outcome])).toEqual([
      ['KH-1', 'awaiting-consent'],
      ['KH-2', 'awaiting-consent'],
    ]);

    await fx.consent(bank.agreementId, customer!._id);
    await fx.consent(bank.agreementId, impostor!._id);
    expect(await runJsonlBatch({ input: customers, output: out, ...ekycChecks(client, ['permanentAddress']) })).toEqual({
      verified: 1,
      mismatch: 1,
    });
    expect(await results()).toEqual([
      { customerId: 'KH-1', outcome: 'verified', fields: { permanentAddress: customer!.fields.permanentAddress!.value } },
      { customerId: 'KH-2', outcome: 'mismatch', mismatched: ['dateOfBirth'] },
    ]);
  });
});
