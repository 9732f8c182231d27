// What the ingest drills share: a fresh database and consumer group on the given Kafka and store,
// a PKI, simulated events published to the source topics, and how many of them the store holds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Db, MongoClient } from 'mongodb';
import { simulateEvents } from '../../connectors/simulator/simulate-events.ts';
import { initCertificateAuthority } from '../../hub/pki/certificate-authority.ts';
import { connectKafka } from '../../kafka/connect.ts';
import { consumerLag, startGroupAtEnd } from '../../kafka/group-offsets.ts';
import { readTopicToEnd } from '../../kafka/read-topic-to-end.ts';
import { RecordPublisher } from '../../kafka/record-publisher.ts';
import { ensureTopics } from '../../kafka/topic-creation.ts';
import { ALL_TOPICS, sourceTopic, topicLayout } from '../../kafka/topics.ts';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { SOURCES } from '../../schemas/sources.ts';
import { HubChild } from '../hub-child.ts';

export interface IngestWorld {
  kafkaBrokers: string[];
  mongodbUri: string;
  database: string;
  group: string;
  pkiDir: string;
  db: Db;
  events: SourceEvent[];
  /** Distinct event ids published. */
  ids: string[];
  startHub(instance: string, env?: Record<string, string>): Promise<HubChild>;
  /** Publishes the events from `from` (a share, 0…1) to `to`, in the simulator's order per source. */
  publish(from?: number, to?: number): Promise<void>;
  /** Distinct published events the store's history holds now (exact, but slow on FerretDB). */
  applied(): Promise<number>;
  /** History records of any event (other writers' too): for watching progress, not for counting. */
  progress(): Promise<number>;
  /**
   * Where the events the store lacks are: counted again by a full scan (not through the `_id`
   * index), then found in the source topics (partition and offset) beside the group's committed
   * offsets. What a drill prints when events are missing.
   */
  whereMissing(): Promise<string>;
  /** History records of the published events beyond one per event. */
  duplicated(): Promise<number>;
  /** Opens the drill's own store connection again (after the store restarted, its pool is stale). */
  reconnect(): Promise<void>;
  /** The consumer group's members that hold partitions, once the group is stable (else undefined). */
  groupMembers(): Promise<number | undefined>;
  close(): Promise<void>;
}

export async function ingestWorld(name: string, kafkaBrokers: string[], mongodbUri: string, citizens: number): Promise<IngestWorld> {
  const runId = `${name}_${Date.now().toString(36)}`;
  const kafka = connectKafka({ brokers: kafkaBrokers, clientId: 'dancu-drill' });
  await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
  const group = `drill-${runId}`;
  await startGroupAtEnd(kafka, group, SOURCES.map(sourceTopic));
  const pkiDir = await mkdtemp(join(tmpdir(), 'dancu-drill-pki-'));
  await initCertificateAuthority(pkiDir, { hosts: [], force: false });
  let mongo = await MongoClient.connect(mongodbUri);
  const database = `dancu_drill_${runId}`.replace(/[^A-Za-z0-9_]/g, '_');
  let db = mongo.db(database);
  const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens });
  const ids = [...new Set(events.map((event) => event.eventId))];
  const history = () => db.collection<{ _id: string }>('history');
  return {
    kafkaBrokers,
    mongodbUri,
    database,
    group,
    pkiDir,
    get db() {
      return db;
    },
    async reconnect() {
      await mongo.close(true).catch(() => undefined);
      mongo = await MongoClient.connect(mongodbUri);
      db = mongo.db(database);
    },
    events,
    ids,
    startHub: (instance, env) => HubChild.start({ instance, group, database, pkiDir, kafkaBrokers, mongodbUri, ...(env ? { env } : {}) }),
    async publish(from = 0, to = 1) {
      const publisher = new RecordPublisher(kafka);
      try {
        for (const source of SOURCES) {
          const all = events.filter((event) => event.source === source);
          const mine = all.slice(Math.floor(all.length * from), Math.floor(all.length * to));
          for (let i = 0; i < mine.length; i += 2000) {
            await publisher.publish(
              sourceTopic(source),
              mine.slice(i, i + 2000).map((event) => ({ key: event.personalId, value: JSON.stringify(event) })),
            );
          }
        }
      } finally {
        await publisher.close();
      }
    },
    applied: () => retried(() => history().countDocuments({ _id: { $in: ids } })),
    progress: () => history().countDocuments(),
    async whereMissing() {
      const held = new Set(
        (
          await history()
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((record) => record._id),
      );
      const missing = new Set(ids.filter((id) => !held.has(id)));
      const found: string[] = [];
      const inTopics = new Set<string>();
      const topics = SOURCES.map(sourceTopic);
      const lags = await consumerLag(kafka, group, topics);
      for (const topic of topics) {
        for (const record of await readTopicToEnd(kafka, topic)) {
          const eventId = (JSON.parse(record.value?.toString() ?? '{}') as { eventId?: string }).eventId;
          if (eventId === undefined || !missing.has(eventId)) continue;
          inTopics.add(eventId);
          const lag = lags.find((entry) => entry.topic === topic && entry.partition === record.partition);
          found.push(`${eventId} at ${topic}[${record.partition}]@${record.offset}; group committed ${lag?.committed} of ${lag?.end}`);
        }
      }
      const neverPublished = [...missing].filter((id) => !inTopics.has(id));
      return [
        `${missing.size} of ${ids.length} events missing by a full scan of history (${held.size} records)`,
        `${neverPublished.length} of them in no source topic (acknowledged to the publisher, yet not in Kafka)`,
        ...found.slice(0, 50),
      ].join('\n');
    },
    duplicated: () =>
      retried(async () => {
        // `_id` is the event id, so the store itself forbids a second record; counted from the records anyway.
        const found = await history()
          .find({ _id: { $in: ids } }, { projection: { _id: 1 } })
          .toArray();
        return found.length - new Set(found.map((record) => record._id)).size;
      }),
    async groupMembers() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([group]);
        const described = groups[0];
        if (described?.state !== 'Stable') return undefined;
        return described.members.filter((member) => member.memberAssignment.length > 0).length;
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await rm(pkiDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `probe` every 200 ms until it holds; the time it took, or undefined past the bound. A probe
 * still running at the bound (a send stuck on a dead broker, a read on a store that went away) is
 * left behind and counts as not holding: a drill reports where it stood, it never hangs.
 */
export async function secondsUntil(probe: () => Promise<boolean>, boundMs: number): Promise<number | undefined> {
  const started = performance.now();
  const left = () => boundMs - (performance.now() - started);
  while (left() > 0) {
    if (await holdsWithin(probe, left())) return (performance.now() - started) / 1000;
    await sleep(Math.max(0, Math.min(200, left())));
  }
  return undefined;
}

async function holdsWithin(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const giveUp = new AbortController();
  try {
    return await Promise.race([probe().catch(() => false), sleep(ms, false, { signal: giveUp.signal }).catch(() => false)]);
  } finally {
    giveUp.abort();
  }
}

/** A read right after the store came back may meet a pooled connection it closed: try again. */
async function retried<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
