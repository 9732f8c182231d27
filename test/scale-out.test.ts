// Several hubs (issue 14): `dancu hub` processes sharing the ingest through one consumer group,
// each serving the whole API and journaling on a chain of its own; one killed, the other carries
// on — for ingest (it takes the partitions) and for consumers (they fail over to its address).
// On the real Kafka and FerretDB, with real hub processes.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../connectors/consumers/hub-client.ts';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { kafkaHeadWitness } from '../hub/journal/head-witness.ts';
import { chainEntries } from '../hub/journal/journal-chain.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { SOURCES } from '../schemas/sources.ts';
import { HubChild } from '../testing/hub-child.ts';
import { testEndpoints } from './endpoints.ts';
import { type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import {
  allStoredAsExpected,
  expectedCitizens,
  prepareTopics,
  publishEvents,
  temporaryPki,
  testKafka,
  uniqueName,
  waitFor,
} from './harness.ts';

describe('several hubs on the real Kafka and FerretDB', () => {
  const hubs: HubChild[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  async function startHub(options: Omit<Parameters<typeof HubChild.start>[0], 'kafkaBrokers' | 'mongodbUri'>) {
    const { kafkaBrokers, mongodbUri } = testEndpoints();
    const hub = await HubChild.start({ ...options, kafkaBrokers, mongodbUri });
    hubs.push(hub);
    return hub;
  }

  beforeAll(async () => {
    await prepareTopics();
  });
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.kill('SIGKILL')));
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('R5, R35: two hubs share the ingest, each on its own journal chain; one killed with SIGKILL mid-ingest, the other takes its partitions: every event applied once, and both chains verify', async () => {
    const pki = await temporaryPki('dancu-scale-pki');
    cleanups.push(pki.remove);
    const group = uniqueName('test-scale');
    const database = uniqueName('dancu_scale');
    await startGroupAtEnd(testKafka(), group, SOURCES.map(sourceTopic));
    const store = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });
    cleanups.push(async () => {
      await store.db.dropDatabase();
      await store.close();
    });

    const a = await startHub({ instance: 'hub-a', group, database, pkiDir: pki.dir });
    const b = await startHub({ instance: 'hub-b', group, database, pkiDir: pki.dir });
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 400 });
    // Two thirds now, the rest once one hub is dead: its partitions surely have work left to take over.
    const cut = Math.floor((events.length * 2) / 3);
    await publishEvents(events.slice(0, cut));
    const ids = [...new Set(events.map((event) => event.eventId))];
    const unique = ids.length;
    // Only this test's events: other writers may share the source topics, and the group reads them too.
    const applied = () => store.history.countDocuments({ _id: { $in: ids } });
    const { entries } = journalCollections(store.db);
    const ingestOn = (chain: string) => entries.countDocuments({ ...chainEntries(chain), act: 'ingest' });

    // Both take part before one dies: each has journaled a slice of its own on its own chain.
    await waitFor('both hubs to apply a slice', async () => (await ingestOn('hub-a')) > 0 && (await ingestOn('hub-b')) > 0, 120_000);
    await a.kill('SIGKILL');
    const atKill = await applied();
    await publishEvents(events.slice(cut));
    expect(atKill, 'killed in the middle, not after the end').toBeLessThan(unique);

    await waitFor('every event applied by the hub left', async () => (await applied()) === unique, 240_000);
    const expected = expectedCitizens(events);
    await waitFor('every citizen to be what the merge rules give', () => allStoredAsExpected(store, expected), 120_000);

    // A clean stop signs hub-b's last head; hub-a's chain simply ends where it was killed. Stopped
    // once the group has settled with hub-b alone (a stop in the middle of a rebalance waits for it).
    await waitFor(
      'the group to settle with the hub left',
      async () => {
        const admin = testKafka().admin();
        await admin.connect();
        try {
          const [described] = (await admin.describeGroups([group])).groups;
          return described?.state === 'Stable' && described.members.length === 1;
        } finally {
          await admin.disconnect();
        }
      },
      120_000,
    );
    const stopped = await b.kill('SIGTERM');
    expect(stopped.code, b.output.slice(-4000)).toBe(0);
    const publisher = new RecordPublisher(testKafka());
    cleanups.push(() => publisher.close());
    const publicKey = createPublicKey(readFileSync(pkiFiles(pki.dir).signingPublicKey));
    const verdict = await verifyJournal(store.db, { publicKey, witness: kafkaHeadWitness(testKafka(), publisher) });
    expect(verdict).toMatchObject({ ok: true, signaturesChecked: true });
    expect(verdict.chains.map((chain) => chain.chain)).toEqual(['hub-a', 'hub-b']);
    expect(verdict.chains.find((chain) => chain.chain === 'hub-b')?.signedHeads).toBeGreaterThan(0);
  }, 600_000);

  describe('consumers', () => {
    let fx: ExchangeFixture;
    beforeAll(async () => {
      fx = await startExchangeFixture({ citizens: 20 });
      cleanups.push(() => fx.stop());
    });

    it('R22, R35: lookups go on while one of two hubs is killed: the consumer connector fails over to the other address, and every answer is journaled on the chain of the hub that gave it', async () => {
      const consumer = await fx.register({
        organisation: 'bhxh',
        category: 'CENTRAL_STATE_BODY',
        system: 'bhxh-scale',
        services: ['Lookup'],
        purposes: ['SOCIAL_INSURANCE'],
        grants: [{ field: 'fullName', modes: ['disclose'] }],
      });
      const group = uniqueName('test-scale-api');
      await startGroupAtEnd(testKafka(), group, SOURCES.map(sourceTopic));
      const common = { group, database: fx.database, pkiDir: fx.pkiDir };
      const a = await startHub({ ...common, instance: 'api-a' });
      const b = await startHub({ ...common, instance: 'api-b' });
      const client = new HubClient(
        [a, b].map((hub) => ({ exchange: new ExchangeClient(hub.grpcAddress, consumer.credentials) })),
        { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', officerId: 'officer-1' },
      );
      cleanups.push(async () => client.close());
      const citizen = keyOf(fx.citizens[0]!);
      const lookup = (index: number) => client.lookup(`case-${index}`, { citizen, fields: ['fullName'] });

      const answers: Awaited<ReturnType<typeof lookup>>[] = [];
      for (let index = 0; index < 10; index += 1) answers.push(await lookup(index));
      await a.kill('SIGKILL');
      for (let index = 10; index < 30; index += 1) answers.push(await lookup(index));
      for (const answer of answers) expect(answer.fields).toHaveLength(1);
      // Each answer names the chain of the hub that gave it, and its reference finds its entry.
      expect(answers.map((answer) => answer.journalChain)).toEqual([...Array(10).fill('api-a'), ...Array(20).fill('api-b')]);
      for (const answer of [answers[0]!, answers[29]!]) {
        const [entry] = await queryJournal(fx.store.db, {
          entry: { chain: answer.journalChain, sequence: Number(answer.journalSequence) },
        });
        expect(entry).toMatchObject({ chain: answer.journalChain, action: 'Lookup', decision: 'allowed' });
      }

      const { entries } = journalCollections(fx.store.db);
      const lookups = (chain: string) => entries.countDocuments({ ...chainEntries(chain), action: 'Lookup', decision: 'allowed' });
      expect(await lookups('api-a')).toBe(10);
      expect(await lookups('api-b')).toBe(20);
      await b.kill('SIGTERM');
    });
  });
});
