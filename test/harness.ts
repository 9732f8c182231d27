// What the integration tests share: a hub on a database of its own, a consumer group that starts
// at the end of the topics (so earlier tests' records are not replayed), and polling helpers.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { MongoClient } from 'mongodb';
import type { CitizenDocument, HistoryEntry } from '../hub/citizen/citizen-document.ts';
import { eventDigest } from '../hub/citizen/event-digest.ts';
import { groupByCitizen, historyRecordOf, mergeRecords, replayHistory } from '../hub/citizen/merge.ts';
import { IngestService, type IngestServiceOptions } from '../hub/ingest/ingest-service.ts';
import { Journal } from '../hub/journal/journal.ts';
import { watchConnectors } from '../hub/operations/connector-watch.ts';
import type { HealthThresholds } from '../hub/operations/health-thresholds.ts';
import type { HeartbeatMonitor } from '../hub/operations/heartbeat-monitor.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { issueCertificate, writeIssuedCertificate } from '../hub/pki/client-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { Registry } from '../hub/registry/registry.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { connectKafka } from '../kafka/connect.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { type RawRecord, toRawRecord } from '../kafka/records.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { ALL_TOPICS, type CHANGES_TOPIC, type DLQ_TOPIC, HEADERS, sourceTopic, topicLayout } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { SOURCES } from '../schemas/sources.ts';
import { withTraceContext } from '../telemetry/trace-context.ts';
import { testEndpoints } from './endpoints.ts';

/** The `dancu` CLI, for tests that run it as a separate process. */
export const DANCU_BIN = fileURLToPath(new URL('../bin/dancu.js', import.meta.url));

/** The environment for a `dancu` child process that must use the test stack. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { kafkaBrokers, mongodbUri } = testEndpoints();
  return { ...process.env, KAFKA_BROKERS: kafkaBrokers.join(','), MONGODB_URI: mongodbUri, ...extra };
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

export function testKafka() {
  return connectKafka({ brokers: testEndpoints().kafkaBrokers, clientId: 'dancu-test' });
}

export async function prepareTopics(): Promise<void> {
  await ensureTopics(testKafka(), ALL_TOPICS.map(topicLayout));
}

export interface TestHub {
  hub: IngestService;
  /** The connectors feeding it (hub/operations/connector-watch.ts). */
  monitor: HeartbeatMonitor;
  store: PopulationStore;
  database: string;
  groupId: string;
  stop(): Promise<void>;
}

/** A new hub instance reading only what is published from now on, into a fresh database. */
export async function startTestHub(
  options: Pick<IngestServiceOptions, 'tracer' | 'backoff'> & { connectorHealth?: HealthThresholds } = {},
): Promise<TestHub> {
  await prepareTopics();
  const database = uniqueName('dancu_test');
  const groupId = uniqueName('test-hub');
  await startGroupAtEnd(testKafka(), groupId, SOURCES.map(sourceTopic));
  const { kafkaBrokers, mongodbUri } = testEndpoints();
  const { connectorHealth, ...ingest } = options;
  const hub = await IngestService.start({ kafkaBrokers, mongodbUri, database, groupId, ...ingest });
  const monitor = await watchConnectors(hub, connectorHealth);
  const store = await PopulationStore.open({ uri: mongodbUri, database });
  return {
    hub,
    monitor,
    store,
    database,
    groupId,
    async stop() {
      await monitor.stop();
      await hub.stop();
      await store.db.dropDatabase();
      await store.close();
    },
  };
}

/** Publishes the events as a connector would, each in a trace of its own; returns event id → traceparent. */
export async function publishEvents(events: readonly SourceEvent[]): Promise<Map<string, string>> {
  const publisher = new RecordPublisher(testKafka());
  // Sampled trace ids as a connector's spans would make them; nothing is exported.
  const tracer = new BasicTracerProvider().getTracer('dancu-test');
  const traces = new Map<string, string>();
  try {
    for (const source of SOURCES) {
      const mine = events.filter((event) => event.source === source);
      await publisher.publish(
        sourceTopic(source),
        mine.map((event) => {
          const headers = {
            [HEADERS.traceparent]: traces.get(event.eventId) ?? withTraceContext({}, tracer.startSpan('send')).traceparent!,
          };
          traces.set(event.eventId, headers[HEADERS.traceparent]);
          return { key: event.personalId, value: JSON.stringify(event), headers };
        }),
      );
    }
  } finally {
    await publisher.close();
  }
  return traces;
}

export async function publishRaw(topic: string, records: { key: string | null; value: string | Buffer }[]): Promise<void> {
  const publisher = new RecordPublisher(testKafka());
  try {
    for (const record of records) await publisher.publish(topic, [record]);
  } finally {
    await publisher.close();
  }
}

/** Collects what arrives on a topic from now on. */
export async function tapTopic(topic: typeof DLQ_TOPIC | typeof CHANGES_TOPIC | string) {
  const kafka = testKafka();
  const groupId = uniqueName('test-tap');
  await startGroupAtEnd(kafka, groupId, [topic]);
  const consumer = kafka.consumer({ groupId });
  const records: RawRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic: from, partition, message }) => {
      records.push(toRawRecord(from, partition, message));
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A citizen as the tests compare it: the current fields and the history as people read it. */
export interface ComparableCitizen {
  fields: CitizenDocument['fields'];
  history: HistoryEntry[];
}

/** What the merge rules give for these events, computed in memory, per citizen. */
export function expectedCitizens(events: readonly SourceEvent[]): Map<string, ComparableCitizen> {
  const expected = new Map<string, ComparableCitizen>();
  for (const [id, list] of groupByCitizen(events)) {
    const records = [...new Map(list.map((event) => [event.eventId, historyRecordOf(event, eventDigest(event), new Date())])).values()];
    expected.set(id, { fields: mergeRecords(null, records).document.fields, history: replayHistory(records) });
  }
  return expected;
}

/** A citizen as the store holds it, in the same shape; undefined when there is no document. */
export async function storedCitizen(store: PopulationStore, id: string): Promise<ComparableCitizen | undefined> {
  return (await storedCitizens(store, [id])).get(id);
}

/**
 * Many citizens as the store holds them, reading the history once: on FerretDB a query by
 * personal id scans the whole history collection, so one query per citizen would be slow.
 */
export async function storedCitizens(store: PopulationStore, ids: readonly string[]): Promise<Map<string, ComparableCitizen>> {
  const wanted = new Set(ids);
  const documents = await store.readCitizens(ids);
  const records = groupByCitizen((await store.readHistoryRecords({})).filter((record) => wanted.has(record.personalId)));
  return new Map([...documents].map(([id, doc]) => [id, { fields: doc.fields, history: replayHistory(records.get(id) ?? []) }]));
}

/** Whether every expected citizen is stored exactly so. */
export async function allStoredAsExpected(store: PopulationStore, expected: ReadonlyMap<string, ComparableCitizen>): Promise<boolean> {
  const stored = await storedCitizens(store, [...expected.keys()]);
  return [...expected].every(([id, citizen]) => isDeepStrictEqual(stored.get(id), citizen));
}

/**
 * A PKI of the test's own with one registered officer on `database`, as `dancu` bootstraps one: the
 * CA key holder registers an agency head, and issues their operator certificate into `<dir>/issued`,
 * so `dancu … --officer <id>` with DANCU_PKI_DIR=dir acts as them.
 */
export async function officerPki(
  prefix: string,
  database: string,
  officerId = 'c06-head',
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const pki = await temporaryPki(prefix);
  await withTestRegistry(database, (registry) =>
    registry.addOfficer({ _id: officerId, name: 'Cục trưởng C06', level: 'agency-head' }, new CaKeyHolder('test')),
  );
  await officerCertificates(database, pki.dir, [officerId]);
  return pki;
}

/** Operator certificates for officers already registered on `database`, issued and recorded as `dancu pki issue --operator` does, into `<pkiDir>/issued`. */
export async function officerCertificates(database: string, pkiDir: string, officerIds: readonly string[]): Promise<void> {
  await withTestRegistry(database, async (registry) => {
    for (const officerId of officerIds) {
      const issued = await issueCertificate(pkiDir, {
        kind: 'operator',
        id: officerId,
        organisation: 'population-data-agency',
        validDays: 30,
      });
      await registry.recordOperatorCertificate(officerId, issued.fingerprint256, new CaKeyHolder('test'));
      await writeIssuedCertificate(pkiFiles(pkiDir).issuedDir, officerId, issued);
    }
  });
}

async function withTestRegistry(database: string, use: (registry: Registry) => Promise<unknown>): Promise<void> {
  const client = await MongoClient.connect(testEndpoints().mongodbUri);
  try {
    const db = client.db(database);
    const journal = await Journal.open(db);
    try {
      await use(await Registry.open(db, journal));
    } finally {
      await journal.close();
    }
  } finally {
    await client.close();
  }
}

/** A hub PKI of the test's own, in a temporary directory, for tests that run `dancu hub`; call the result to remove it. */
export async function temporaryPki(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  await initCertificateAuthority(dir, { hosts: [], force: false });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
