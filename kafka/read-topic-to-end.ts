// Reading a small topic whole, without joining or moving any consumer group.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { type RawRecord, toRawRecord } from './records.ts';
import { untilAnswering } from './until-answering.ts';

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
