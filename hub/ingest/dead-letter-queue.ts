// The operator's view of dancu.dlq.v1: the dead letters it holds, grouped by reason.
import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../kafka/read-topic-to-end.ts';
import type { RawRecord } from '../../kafka/records.ts';
import { DLQ_TOPIC } from '../../kafka/topics.ts';
import type { DeadLetter } from './dead-letter.ts';

/** A dead letter and where it sits in the dead-letter topic. */
export interface QueuedDeadLetter extends DeadLetter {
  dlqPartition: number;
  dlqOffset: string;
}

export interface ReasonGroup {
  reason: string;
  count: number;
  /** How many came from each source topic. */
  bySourceTopic: Record<string, number>;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** The most recent one, to show what the reason looks like. */
  latest: QueuedDeadLetter;
}

export interface DeadLetterQueue {
  letters: QueuedDeadLetter[];
  /** Records on the topic that are not dead letters of ours (written by someone else). */
  unreadable: number;
}

/** Every dead letter the topic holds (read without moving any consumer group), for operator views. */
export async function readDeadLetterQueue(kafka: Kafka): Promise<DeadLetterQueue> {
  return readDeadLetters(await readTopicToEnd(kafka, DLQ_TOPIC));
}

export function readDeadLetters(records: readonly RawRecord[]): DeadLetterQueue {
  const letters: QueuedDeadLetter[] = [];
  let unreadable = 0;
  for (const record of records) {
    try {
      const letter = JSON.parse(record.value?.toString('utf8') ?? '') as DeadLetter;
      if (typeof letter.reason !== 'string' || typeof letter.sourceTopic !== 'string') throw new Error('not a dead letter');
      letters.push({ ...letter, dlqPartition: record.partition, dlqOffset: record.offset });
    } catch {
      unreadable += 1;
    }
  }
  return { letters, unreadable };
}

/** Groups by reason, the most frequent first. */
export function groupByReason(letters: readonly QueuedDeadLetter[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const letter of letters) {
    const group = groups.get(letter.reason);
    if (!group) {
      groups.set(letter.reason, {
        reason: letter.reason,
        count: 1,
        bySourceTopic: { [letter.sourceTopic]: 1 },
        firstRejectedAt: letter.rejectedAt,
        lastRejectedAt: letter.rejectedAt,
        latest: letter,
      });
      continue;
    }
    group.count += 1;
    group.bySourceTopic[letter.sourceTopic] = (group.bySourceTopic[letter.sourceTopic] ?? 0) + 1;
    if (letter.rejectedAt < group.firstRejectedAt) group.firstRejectedAt = letter.rejectedAt;
    if (letter.rejectedAt >= group.lastRejectedAt) {
      group.lastRejectedAt = letter.rejectedAt;
      group.latest = letter;
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
