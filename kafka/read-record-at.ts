// Reads one record back from its place in a topic: how `dancu dlq replay` recovers an original
// too large to travel inside its dead letter, while the source topic still retains it.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { type RawRecord, toRawRecord } from './records.ts';
import { PositionExpired } from './topic-tail.ts';

const READ_TIMEOUT_MS = 30_000;

/** The record at topic/partition/offset; PositionExpired when retention removed it (or it never was). */
export async function readRecordAt(kafka: Kafka, topic: string, partition: number, offset: string): Promise<RawRecord> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const held = (await admin.fetchTopicOffsets(topic)).find((entry) => entry.partition === partition);
    if (!held) throw new PositionExpired(topic, partition, offset, 'no such partition');
    if (BigInt(offset) < BigInt(held.low)) throw new PositionExpired(topic, partition, offset, held.low);
    if (BigInt(offset) >= BigInt(held.high)) throw new PositionExpired(topic, partition, offset, held.high);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `dancu-reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    return await new Promise<RawRecord>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic}[${partition}]@${offset} took over ${READ_TIMEOUT_MS / 1000} s`)),
        READ_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition: from, message }) => {
            if (from !== partition || message.offset !== offset) return;
            clearTimeout(timer);
            resolve(toRawRecord(topic, partition, message));
          },
        })
        .then(() => consumer.seek({ topic, partition, offset }))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
}
