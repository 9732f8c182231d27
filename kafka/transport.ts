// The one module that knows kafkajs. Everything else speaks in RawRecord / OutgoingRecord,
// so the client library can be swapped (kafkajs is no longer actively maintained) without
// touching the connectors or the hub.
import { Kafka, logLevel, CompressionTypes, type Consumer, type Producer, type Admin, type IHeaders } from 'kafkajs';

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
  key: string;
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
}

export function connectKafka(options: KafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 5_000,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ namespace, log }) => {
        // kafkajs logs retriable errors loudly during rebalances; keep only real errors, one line each.
        console.error(`[kafka ${namespace}] ${log.message}`);
      },
  });
}

/** Creates missing topics; existing ones are left alone (so this is safe on every start). */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
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

  /** Resolves once Kafka acknowledged every record. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    await this.producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers ?? {} })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Called with the records of one partition; offsets are committed only after it resolves. */
  handle: (records: RawRecord[]) => Promise<void>;
}

/**
 * Consumes in batches with manual commits: the offset of a batch is committed only after
 * `handle` resolved, so a crash replays at most the batch in flight (handlers are idempotent).
 */
export class BatchConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const records = batch.messages.map((message) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: decodeHeaders(message.headers),
          timestamp: message.timestamp,
        }));
        await this.options.handle(records);
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    // kafkajs commits only when asked; with autoCommit off, commitOffsetsIfNecessary commits every resolved offset.
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  /** Resolves when the consumer has joined its group and got its partitions. */
  joined(): Promise<void> {
    return new Promise((resolve) => {
      const remove = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
  }
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

/** Points a new consumer group at the current end of each topic, so it reads only what comes next. */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: false });
  } finally {
    await admin.disconnect();
  }
}
