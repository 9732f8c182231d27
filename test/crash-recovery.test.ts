import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { sourceTopic } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { SOURCES } from '../schemas/sources.ts';
import { testEndpoints } from './endpoints.ts';
import {
  allStoredAsExpected,
  cliEnv,
  DANCU_BIN,
  expectedCitizens,
  prepareTopics,
  publishEvents,
  storedCitizens,
  temporaryPki,
  testKafka,
  uniqueName,
  waitFor,
} from './harness.ts';

function startHubProcess(groupId: string, database: string, pkiDir: string): ChildProcess {
  // The whole hub, API included: on a free port, with a PKI of the test's own.
  const args = [
    'hub',
    '--group',
    groupId,
    '--session-timeout',
    '6000',
    '--admin-port',
    '0',
    '--grpc-address',
    '127.0.0.1:0',
    '--pki-dir',
    pkiDir,
  ];
  return spawn(process.execPath, [DANCU_BIN, ...args], {
    env: cliEnv({ DANCU_DB: database }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('crash recovery on the real Kafka and FerretDB', () => {
  const children: ChildProcess[] = [];
  let store: PopulationStore | undefined;
  let pki: Awaited<ReturnType<typeof temporaryPki>> | undefined;
  let pkiDir = '';
  beforeAll(async () => {
    pki = await temporaryPki('dancu-crash-pki');
    pkiDir = pki.dir;
  });
  afterAll(async () => {
    await pki?.remove();
    for (const child of children) child.kill('SIGKILL');
    await store?.db.dropDatabase();
    await store?.close();
  });

  it('R5: a hub killed with SIGKILL mid-stream and restarted applies every event exactly once', async () => {
    await prepareTopics();
    const groupId = uniqueName('test-crash');
    const database = uniqueName('dancu_crash');
    await startGroupAtEnd(testKafka(), groupId, SOURCES.map(sourceTopic));
    store = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });

    const events: SourceEvent[] = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 300 });
    // The stream in two parts: the hub is killed while it applies the first (a store round may
    // take a whole part at once, so the kill cannot be timed to fall inside it), and the second is
    // published only after the kill, so the restarted hub always has a stream to go on with.
    const half = Math.floor(events.length / 2);
    await publishEvents(events.slice(0, half));
    const applied = () => store!.history.countDocuments();

    const first = startHubProcess(groupId, database, pkiDir);
    children.push(first);
    await waitFor('the first hub to apply part of the stream', async () => (await applied()) >= 300, 120_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    await publishEvents(events.slice(half));

    const second = startHubProcess(groupId, database, pkiDir);
    children.push(second);
    await waitFor('every event applied after the restart', async () => (await applied()) === events.length, 240_000);
    // History is written before the citizen documents, so also wait for the documents: a
    // citizen whose revision the killed hub had claimed waits for that claim's lease to end.
    const expected = expectedCitizens(events);
    await waitFor('every citizen to be what the merge rules give for its events', () => allStoredAsExpected(store!, expected), 120_000);

    // Exactly once: each event is one history record, and every citizen (fields and history) is
    // what the merge rules give for its events.
    expect(await store.history.countDocuments()).toBe(new Set(events.map((event) => event.eventId)).size);
    const stored = await storedCitizens(store, [...expected.keys()]);
    for (const [id, citizen] of expected) expect(stored.get(id), id).toEqual(citizen);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }, 300_000);
});
