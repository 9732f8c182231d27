// The hub's consumer loop (kafka/batch-consumer.ts) on the real Kafka, with a handler that takes
// a slice and finishes it later (`{ done }`), as ingest does: the next slice is handed over while
// the one before is finishing, offsets are committed in order and only for slices that are done,
// and a slice whose `done` failed is handled again before anything after it is committed.
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchConsumer } from '../kafka/batch-consumer.ts';
import type { RawRecord } from '../kafka/records.ts';
import { testKafka, waitFor } from './harness.ts';

const RECORDS = 1_600; // four slices of at most 500

/** A one-partition topic holding RECORDS records, written in one send: one record batch, so one fetch hands all four slices over. */
async function filledTopic(admin: Admin): Promise<string> {
  const topic = `dancu-test-batch-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: RECORDS }, (_, index) => ({ key: `k${index % 7}`, value: `r${index}` })),
  });
  await producer.disconnect();
  return topic;
}

/** A handler that takes every slice at once and lets the test decide when each is done. */
function heldHandler() {
  const calls: Array<{ first: number; attempt: number; committedAtCall?: string }> = [];
  /** The `done`s not settled yet, by `<first offset>/<attempt>`, oldest first (a slice may be handed over again). */
  const held = new Map<string, Array<{ resolve: () => void; reject: (error: Error) => void }>>();
  const handle = async (records: RawRecord[], attempt: number) => {
    const call = { first: Number(records[0]!.offset), attempt };
    calls.push(call);
    const key = `${call.first}/${attempt}`;
    const done = new Promise<void>((resolve, reject) => held.set(key, [...(held.get(key) ?? []), { resolve, reject }]));
    return { done };
  };
  return {
    calls,
    handle,
    /** Settles the oldest held `done` of the slice starting at `first` (attempt `attempt`), waiting until it was handed over. */
    async settle(first: number, attempt: number, error?: Error) {
      const key = `${first}/${attempt}`;
      const settle = await waitFor(`slice @${first} attempt ${attempt} handed over`, async () => held.get(key)?.shift());
      if (error) settle.reject(error);
      else settle.resolve();
    },
  };
}

describe('the consumer loop: slices handed over before the one before is done, committed in order (kafka/batch-consumer.ts)', () => {
  let admin: Admin;
  const consumers: BatchConsumer[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    admin = testKafka().admin();
    await admin.connect();
  });
  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  });

  async function start(handle: ReturnType<typeof heldHandler>['handle']) {
    const topic = await filledTopic(admin);
    topics.push(topic);
    const groupId = `dancu-test-batch-${randomUUID().slice(0, 8)}`;
    const consumer = new BatchConsumer(testKafka(), {
      groupId,
      topics: [topic],
      fromBeginning: true,
      handle,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    consumers.push(consumer);
    await consumer.start();
    const committed = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets!.partitions[0]!.offset;
    };
    return { committed };
  }

  it('R26: the next slice is handed over before the one before is done; offsets are committed in order, only for slices that are done', async () => {
    const handler = heldHandler();
    const { committed } = await start(handler.handle);

    // Every slice of the fetched batch is handed over while none is done.
    await waitFor('all four slices handed over', async () => handler.calls.length === 4);
    expect(handler.calls).toEqual([
      { first: 0, attempt: 1 },
      { first: 500, attempt: 1 },
      { first: 1000, attempt: 1 },
      { first: 1500, attempt: 1 },
    ]);
    expect(await committed()).toBe('-1');

    // The second and fourth are done, the first not: nothing may be committed yet.
    await handler.settle(500, 1);
    await handler.settle(1500, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await committed()).toBe('-1');

    // The first is done: it and the second are committed, not past the third.
    await handler.settle(0, 1);
    await waitFor('offsets through the second slice committed', async () => (await committed()) === '1000');
    await handler.settle(1000, 1);
    await waitFor('every offset committed', async () => (await committed()) === String(RECORDS));
    expect(handler.calls).toHaveLength(4);
  });

  it('R26: a slice whose `done` fails is handled again, wholly, before anything after it is committed; the slices after it are handled again too', async () => {
    const handler = heldHandler();
    const { committed } = await start(async (records, attempt) => {
      const handed = await handler.handle(records, attempt);
      if (attempt > 1) handler.calls.at(-1)!.committedAtCall = await committed();
      return handed;
    });

    await waitFor('all four slices handed over', async () => handler.calls.length === 4);
    await handler.settle(0, 1);
    await handler.settle(500, 1, new Error('the change feed is away'));
    await handler.settle(1000, 1);
    await handler.settle(1500, 1);
    // Handled again: by then the first slice is committed, and nothing after it. The slices
    // after it are handed over again once it is done.
    await handler.settle(500, 2);
    await handler.settle(1000, 1);
    await handler.settle(1500, 1);
    await waitFor('every offset committed', async () => (await committed()) === String(RECORDS));
    expect(handler.calls.slice(4)).toEqual([
      { first: 500, attempt: 2, committedAtCall: '500' },
      { first: 1000, attempt: 1 },
      { first: 1500, attempt: 1 },
    ]);
  });
});
