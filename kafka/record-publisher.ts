// Publishing records durably: the one producer configuration every publisher in dancu uses.
import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import type { OutgoingRecord } from './records.ts';

const SEND_BYTES = 512 * 1024;
/** Sends of the records Kafka did not acknowledge, after the first, before the publish fails. */
const MAX_RESENDS = 5;

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

/**
 * A producer that waits for all in-sync replicas and never duplicates on its own retries
 * (idempotent), so "acknowledged" means durable.
 *
 * It also checks that every record was acknowledged. kafkajs 2.2.4 can resolve a send without
 * having sent some of its records: when part of a send fails (a broker died, or answered "not the
 * leader" while leadership moved) it retries only towards the brokers that have not answered yet,
 * so the records of a partition whose leadership moved to a broker that had already answered for
 * other partitions are never sent (kafkajs keeps that broker's earlier answer; see tulios/kafkajs
 * pull request 1798). The partition kafkajs chose for each record is noted as it chooses, and the
 * records of partitions missing from the acknowledgements are sent again.
 */
export class RecordPublisher {
  private readonly producer: Producer;
  private connected = false;
  /** The partition kafkajs chose for each message it was last given (its default partitioner's choice). */
  private readonly chosen = new WeakMap<Message, number>();

  constructor(kafka: Kafka) {
    const partitioner = Partitioners.DefaultPartitioner();
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: () => (args) => {
        const partition = partitioner(args);
        this.chosen.set(args.message, partition);
        return partition;
      },
    });
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
      await this.sendAcknowledged(
        topic,
        chunk.map((record) => ({ key: record.key, value: record.value, headers: record.headers ?? {} })),
      );
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }

  /**
   * Sends, then sends again the messages whose partition the acknowledgements do not name (in
   * their order: nothing else of this call went to those partitions, so each partition's order
   * holds). Idempotence makes a message sent twice by kafkajs's own retries land once.
   */
  private async sendAcknowledged(topic: string, messages: Message[]): Promise<void> {
    let unsent = messages;
    for (let send = 0; unsent.length > 0; send += 1) {
      if (send > MAX_RESENDS) {
        const partitions = [...new Set(unsent.map((message) => this.chosen.get(message)))].join(', ');
        throw new Error(
          `Kafka acknowledged a send to ${topic} without partition(s) ${partitions} after ${MAX_RESENDS} more sends: ${unsent.length} records were not published`,
        );
      }
      const acknowledged = await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: unsent });
      unsent = unacknowledged(unsent, acknowledged, topic, (message) => this.chosen.get(message));
    }
  }
}

/** The messages whose partition (as the partitioner chose it) no acknowledgement of `topic` names. */
function unacknowledged(
  messages: readonly Message[],
  acknowledged: readonly RecordMetadata[],
  topic: string,
  partitionOf: (message: Message) => number | undefined,
): Message[] {
  const partitions = new Set(
    acknowledged.filter((entry) => entry.topicName === topic && entry.errorCode === 0).map((entry) => entry.partition),
  );
  return messages.filter((message) => {
    const partition = partitionOf(message);
    return partition === undefined || !partitions.has(partition);
  });
}
