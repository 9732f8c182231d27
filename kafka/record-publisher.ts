// Publishing records durably: the one producer configuration every publisher in dancu uses.
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type { OutgoingRecord } from './records.ts';

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
