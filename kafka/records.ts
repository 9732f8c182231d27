// A Kafka record as the rest of dancu sees it: connectors and the hub speak in RawRecord (consumed)
// and OutgoingRecord (to publish), never in kafkajs's types, so the client library can be swapped
// (kafkajs is no longer actively maintained) without touching them.
import type { IHeaders, KafkaMessage } from 'kafkajs';

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
