// kafka/batch-consumer.ts on the real Kafka: a partition's records in slices, one after another,
// with the next slice prepared while the one before is handled.
import { afterAll, describe, expect, it } from 'vitest';
import { BatchConsumer } from '../kafka/batch-consumer.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import type { RawRecord } from '../kafka/records.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { testKafka, uniqueName, waitFor } from './harness.ts';

describe('the batch consumer on the real Kafka', () => {
  let consumer: BatchConsumer | undefined;
  afterAll(async () => {
    await consumer?.stop();
  });

  it("R26: a partition's next slice is prepared while the one before is handled, each slice is handled once and in order, and a failing prepare stops nothing", async () => {
    const kafka = testKafka();
    const topic = uniqueName('dancu.test.slices');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const publisher = new RecordPublisher(kafka);
    await publisher.publish(
      topic,
      Array.from({ length: 1_200 }, (_, n) => ({ key: 'k', value: String(n) })),
    );
    await publisher.close();

    const log: string[] = [];
    const handled: number[] = [];
    const firstOf = (records: RawRecord[]) => Number(String(records[0]!.value));
    let release: () => void = () => {};
    consumer = new BatchConsumer(kafka, {
      groupId: uniqueName('dancu-test-slices'),
      topics: [topic],
      prepare: (records) => {
        log.push(`prepare ${firstOf(records)}`);
        if (firstOf(records) === 1_000) throw new Error('a prepare that fails');
      },
      handle: async (records) => {
        log.push(`handle ${firstOf(records)}`);
        // The first slice is held until its successor has been prepared.
        if (firstOf(records) === 0) await new Promise<void>((resolve) => (release = resolve));
        else await null; // a handler waits on something (the store) before it is done
        handled.push(...records.map((record) => Number(String(record.value))));
        log.push(`done ${firstOf(records)}`);
      },
    });
    void consumer.start();
    await waitFor('the second slice prepared while the first is held', async () => log.includes('prepare 500') || undefined, 30_000);
    expect(log).toEqual(['handle 0', 'prepare 500']);
    release();
    await waitFor('every record handled', async () => handled.length >= 1_200 || undefined, 30_000);
    expect(handled).toEqual(Array.from({ length: 1_200 }, (_, n) => n));
    expect(log).toEqual(['handle 0', 'prepare 500', 'done 0', 'handle 500', 'prepare 1000', 'done 500', 'handle 1000', 'done 1000']);
  });
});
