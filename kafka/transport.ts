// The one module that knows kafkajs. Everything else speaks in RawRecord / OutgoingRecord,
// so the client library can be swapped (kafkajs is no longer actively maintained) without
// touching the connectors or the hub.
import { DancuError } from '../errors/dancu-error.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, CompressionTypes, type Consumer, type Producer, type Admin, type IHeaders, type KafkaMessage } from 'kafkajs';
import { replicationFor } from './topics.ts';

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface OutgoingRecord {
  /** Null only to re-publish a record that had no key (a dead letter's original). */
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  config?: Record<string, string>;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Mutual TLS (Kafka's authenticated listener); by default from KAFKA_TLS_CA / _CERT / _KEY, else plaintext. */
  tls?: KafkaTls | null;
}

/** PEM texts: the CA that signed the broker's certificate, and this client's certificate and key. */
export interface KafkaTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TLS_VARIABLES = ['KAFKA_TLS_CA', 'KAFKA_TLS_CERT', 'KAFKA_TLS_KEY'] as const;

/**
 * KAFKA_TLS_CA, KAFKA_TLS_CERT and KAFKA_TLS_KEY name PEM files (all three, or none: plaintext).
 * Read at start-up, so a wrong path stops the process with a sentence rather than a handshake error.
 */
export function kafkaTlsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaTls | null {
  const set = TLS_VARIABLES.filter((name) => env[name]?.trim());
  if (set.length === 0) return null;
  if (set.length < TLS_VARIABLES.length) {
    const missing = TLS_VARIABLES.filter((name) => !set.includes(name));
    throw new Error(`${set.join(' and ')} set without ${missing.join(' and ')}: Kafka over TLS needs all three PEM files (CA, client certificate, key), or none for plaintext`);
  }
  const read = (name: (typeof TLS_VARIABLES)[number]) => {
    const path = env[name]!.trim();
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${name}=${path} cannot be read (${(error as Error).message}); point it at the PEM file \`dancu pki issue\` wrote`, { cause: error });
    }
  };
  return { caPem: read('KAFKA_TLS_CA'), certPem: read('KAFKA_TLS_CERT'), keyPem: read('KAFKA_TLS_KEY') };
}

export function connectKafka(options: KafkaOptions): Kafka {
  const tls = options.tls === undefined ? kafkaTlsFromEnv() : options.tls;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    // The broker's certificate names 127.0.0.1 and localhost (hub/pki/kafka-certificates.ts); Node checks that.
    ...(tls ? { ssl: { ca: [tls.caPem], cert: tls.certPem, key: tls.keyPem } } : {}),
    connectionTimeout: 5_000,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ namespace, log }) => {
        // kafkajs logs retriable errors loudly during rebalances; keep only real errors, one line each.
        console.error(`[kafka ${namespace}] ${log.message}${log.error ? `: ${String(log.error)}` : ""}`);
      },
  });
}

/**
 * Creates missing topics, replicated as the cluster's size allows (`replicationFor`: three copies and
 * min.insync.replicas 2 on three brokers or more); existing ones are left alone (so this is safe on every start).
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    const { brokers } = await admin.describeCluster();
    const { replicationFactor, minInsyncReplicas } = replicationFor(brokers.length);
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: Object.entries({ 'min.insync.replicas': String(minInsyncReplicas), ...spec.config }).map(([name, value]) => ({ name, value })),
        })),
      })
      .catch((error: unknown) => {
        throw refusedCreation(error, missing.map((spec) => spec.topic)) ?? error;
      });
    // A new topic's leaders can be elected before every broker (and kafkajs's metadata) knows
    // them: the first ListOffsets then fails with "not the leader". Wait until each answers.
    for (const spec of missing) await untilAnswering(() => admin.fetchTopicOffsets(spec.topic), `topic ${spec.topic}`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * On the TLS listener a topic this principal may not see looks missing, and creating it is refused
 * (a source may write its own topic only, and create none): say that, not "Topic creation errors".
 */
function refusedCreation(error: unknown, topics: string[]): Error | undefined {
  const inner = (error as { errors?: Array<{ type?: string }> }).errors ?? [];
  if (!inner.some((each) => each.type === 'TOPIC_AUTHORIZATION_FAILED' || each.type === 'CLUSTER_AUTHORIZATION_FAILED')) return undefined;
  return new Error(
    `Kafka refused this client access to ${topics.join(', ')} (TOPIC_AUTHORIZATION_FAILED): its certificate's principal may not ` +
      'use or create them. A source may write only its own topic, which the hub creates when it starts: check that the ' +
      'certificate (KAFKA_TLS_CERT) is the one issued for this source, and that the hub has run once.',
    { cause: error },
  );
}

const SEND_BYTES = 512 * 1024;

function recordBytes(record: OutgoingRecord): number {
  let bytes = Buffer.byteLength(record.key ?? '') + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Splits records into runs whose size stays under `limit` (a single larger record goes alone). */
function* chunksOf(records: OutgoingRecord[], limit: number): Generator<OutgoingRecord[]> {
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (chunk.length > 0 && bytes + size > limit) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

const READY_ATTEMPTS = 120;
const READY_PAUSE_MS = 250;

async function untilAnswering<T>(probe: () => Promise<T>, what: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await probe();
    } catch (error) {
      // kafkajs's error classes are not named exports under Node's ESM loader; read the flag.
      const retriable = error instanceof Error && (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= READY_ATTEMPTS) {
        throw new Error(`${what} did not become usable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, READY_PAUSE_MS));
    }
  }
}

/**
 * A producer that waits for all in-sync replicas and never duplicates on its own retries
 * (idempotent), so "acknowledged" means durable.
 */
export class RecordPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
  }

  /**
   * Resolves once Kafka acknowledged every record. Large arrays go out in several produce
   * requests of at most SEND_BYTES each, in order, because the broker refuses a request
   * bigger than its message.max.bytes (1 MiB by default).
   */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    for (const chunk of chunksOf(records, SEND_BYTES)) {
      await this.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: chunk.map((record) => ({ key: record.key, value: record.value, headers: record.headers ?? {} })),
      });
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}

/** A consumed kafkajs message as the rest of dancu sees it. */
export function toRawRecord(topic: string, partition: number, message: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

/** How far the group's committed offsets trail the end of each partition. */
export async function consumerLag(kafka: Kafka, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const lags: PartitionLag[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        const endOffset = Number(end.high);
        const start = Number(end.low);
        const position = at < 0 ? start : at;
        lags.push({ topic, partition: end.partition, committed: position, end: endOffset, lag: Math.max(0, endOffset - position) });
      }
    }
    return lags;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Points a new consumer group at the current end of each topic, so it reads only what comes
 * next. It commits explicit end offsets from a short-lived member of the group: kafkajs's own
 * admin.resetOffsets takes five seconds per topic and, seeking to the "latest" sentinel, did not
 * always commit (a group then re-read old records).
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: Array<{ topic: string; partition: number; offset: string }> = [];
  try {
    for (const topic of topics) {
      const offsets = await untilAnswering(() => admin.fetchTopicOffsets(topic), `topic ${topic}`);
      for (const end of offsets) ends.push({ topic, partition: end.partition, offset: end.high });
    }
  } finally {
    await admin.disconnect();
  }
  const member = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await member.connect();
  try {
    await member.subscribe({ topics, fromBeginning: false });
    const joined = new Promise<void>((resolve) => {
      const remove = member.on(member.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    await member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    member.pause(topics.map((topic) => ({ topic })));
    await joined;
    await member.commitOffsets(ends);
  } finally {
    await member.disconnect();
  }
}

/**
 * Every record a topic holds right now, read without joining or moving any consumer group
 * (a throwaway group that never commits). For operator views of small topics such as the
 * dead-letter queue; it holds all records in memory.
 */
const READ_TO_END_MS = 60_000;

export async function readTopicToEnd(kafka: Kafka, topic: string): Promise<RawRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await untilAnswering(() => admin.fetchTopicOffsets(topic), `topic ${topic}`);
    ends = new Map(offsets.filter((end) => BigInt(end.high) > BigInt(end.low)).map((end) => [end.partition, BigInt(end.high)]));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const records: RawRecord[] = [];
  const consumer = kafka.consumer({ groupId: `dancu-reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const remaining = new Set(ends.keys());
      const timer = setTimeout(() => reject(new Error(`reading ${topic} to its end took over ${READ_TO_END_MS / 1000} s`)), READ_TO_END_MS);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            records.push(toRawRecord(topic, partition, message));
            if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** A partition's next offset to read. */
export type TopicPositions = Map<number, string>;

export interface TopicTail {
  /** Where the tail started on every partition (the given positions, or each partition's end). */
  start: TopicPositions;
  /** Every partition's next offset now: the start, moved past each record handed over. */
  positions(): TopicPositions;
  /** Settles when the tail stops; rejects if reading failed. */
  done: Promise<void>;
  /** Settles once the consumer has joined its group and reads (or the join ended otherwise). */
  joined?: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows `topic` from `from` (next offset per partition; partitions not named start at their
 * end; null: every partition from its end; 'earliest': every partition from the oldest record
 * retention kept), handing each record to `onRecord` in partition order and waiting for it,
 * until stopped. Never commits: the caller owns its position.
 * Refuses positions that retention has already deleted, since reading on would skip records.
 * `owner` goes into the consumer group's id (`dancu-tail-<owner>-<uuid>`), so an operator
 * listing groups sees whose tail each is.
 */
export async function tailTopic(
  kafka: Kafka,
  topic: string,
  from: TopicPositions | null | 'earliest',
  onRecord: (record: RawRecord, positionsAfter: TopicPositions) => Promise<void>,
  owner?: string,
): Promise<TopicTail> {
  const admin = kafka.admin();
  await admin.connect();
  const start: TopicPositions = new Map();
  try {
    const offsets = await untilAnswering(() => admin.fetchTopicOffsets(topic), `topic ${topic}`);
    for (const { partition, low, high } of offsets) {
      const wanted = from === 'earliest' ? low : from?.get(partition);
      if (wanted !== undefined && BigInt(wanted) < BigInt(low)) throw new PositionExpired(topic, partition, wanted, low);
      if (wanted !== undefined && BigInt(wanted) > BigInt(high)) throw new PositionExpired(topic, partition, wanted, high);
      start.set(partition, wanted ?? high);
    }
  } finally {
    await admin.disconnect();
  }
  // Every partition's next offset, complete from the start, so any cursor made from it resumes without gaps.
  const positions: TopicPositions = new Map(start);
  let stopped = false;
  const consumer = kafka.consumer({
    groupId: `dancu-tail-${owner ? `${owner}-` : ''}${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    // Stopped while still joining its group, a kafkajs consumer crashes ("write after end") and,
    // the error being retriable, restarts itself 200 ms later: a consumer nobody stops. Once
    // stopped, a crash is the end.
    retry: { retries: 5, restartOnFailure: async () => !stopped },
  });
  await consumer.connect();
  let finish: (error?: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = (error?: unknown) => (error ? reject(error) : resolve());
  });
  // kafkajs cannot stop a consumer that is still joining its group: its stop is a no-op until the
  // join ends, and the consumer then fetches on, held by nobody. So stop waits for the join to
  // end first — joined (usually within the broker's initial rebalance delay) or crashed.
  let joinEnded: () => void = () => {};
  const joinOver = new Promise<void>((resolve) => (joinEnded = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joinEnded());
  consumer.on(consumer.events.CRASH, (event) => {
    joinEnded();
    finish(event.payload.error);
  });
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    void consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (stopped) return;
          positions.set(partition, (BigInt(message.offset) + 1n).toString());
          await onRecord(toRawRecord(topic, partition, message), new Map(positions));
        },
      })
      .catch((error: unknown) => {
        joinEnded();
        finish(error);
      });
    for (const [partition, offset] of start) consumer.seek({ topic, partition, offset });
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    start,
    done,
    joined: joinOver,
    positions: () => new Map(positions),
    async stop() {
      if (stopped) return;
      stopped = true;
      await joinOver;
      // The runner counts as running only once the join's continuation has run.
      await new Promise((resolve) => setImmediate(resolve));
      await consumer.disconnect();
      finish();
    },
  };
}

/** A position the topic no longer (or not yet) holds: retention deleted the records after it, or it is in the future. */
export class PositionExpired extends DancuError<'position-expired'> {
  override readonly name = 'PositionExpired';
  readonly code = 'position-expired';
  readonly retryable = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly wanted: string,
    readonly available: string,
  ) {
    super(`${topic} partition ${partition} cannot be read from offset ${wanted} (the topic holds offsets from / up to ${available})`);
  }
}
