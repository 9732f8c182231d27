// Following a topic from positions the caller owns, never committed to Kafka: how WatchChanges
// resumes a consumer's cursor, and how the hub's caches and heartbeat monitor follow their topics.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DancuError } from '../errors/dancu-error.ts';
import { stopWithin } from './bounded-stop.ts';
import { type RawRecord, toRawRecord } from './records.ts';
import { untilAnswering } from './until-answering.ts';

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
      await stopWithin(`the tail of ${topic}`, async () => {
        await joinOver;
        // The runner counts as running only once the join's continuation has run.
        await new Promise((resolve) => setImmediate(resolve));
        await consumer.disconnect();
      });
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
