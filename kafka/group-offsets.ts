// A consumer group's committed offsets: how far they trail each partition's end, and a new group
// started at the end.
import type { Admin, Kafka } from 'kafkajs';
import { untilAnswering } from './until-answering.ts';

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
