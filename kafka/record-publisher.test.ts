// The publisher's own check that Kafka acknowledged every record, against a stand-in for kafkajs
// that behaves as kafkajs 2.2.4 does when a partition's leadership moves during a send: it
// partitions every message with the producer's partitioner, then resolves with the
// acknowledgements of some partitions only. The real three-broker case is the broker drill
// (test/fault-drills.test.ts).
import type { Kafka, Message, PartitionerArgs, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RecordPublisher } from './record-publisher.ts';

const PARTITIONS = 3;

/** A producer stand-in: `dropped(send)` names the partitions the n-th send (from 0) leaves unacknowledged. */
function kafkaDropping(dropped: (send: number) => number[]) {
  const sends: Array<Array<{ value: string; partition: number }>> = [];
  const kafka = {
    producer(config: ProducerConfig) {
      const partitioner = config.createPartitioner!();
      const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: partitionId + 1 }));
      return {
        connect: async () => {},
        disconnect: async () => {},
        async send(record: ProducerRecord): Promise<RecordMetadata[]> {
          const placed = record.messages.map((message: Message) => ({
            value: String(message.value),
            partition: partitioner({ topic: record.topic, partitionMetadata, message } as PartitionerArgs),
          }));
          const lost = dropped(sends.length);
          sends.push(placed);
          return [...new Set(placed.map((entry) => entry.partition))]
            .filter((partition) => !lost.includes(partition))
            .map((partition) => ({ topicName: record.topic, partition, errorCode: 0, baseOffset: '0' }));
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sends };
}

const records = Array.from({ length: 30 }, (_, index) => ({ key: `0010900${String(index).padStart(5, '0')}`, value: `event-${index}` }));

describe('publishing records', () => {
  it('R26: records of a partition that a send left unacknowledged are sent again, only those, in their order', async () => {
    const { kafka, sends } = kafkaDropping((send) => (send === 0 ? [1] : []));
    const publisher = new RecordPublisher(kafka);
    await publisher.publish('dancu.source.civil-status.v1', records);

    expect(sends).toHaveLength(2);
    const first = sends[0]!;
    expect(first).toHaveLength(records.length);
    const ofPartitionOne = first.filter((entry) => entry.partition === 1);
    expect(ofPartitionOne.length).toBeGreaterThan(0);
    expect(sends[1]).toEqual(ofPartitionOne);
  });

  it('R26: a send that Kafka acknowledges whole is not repeated', async () => {
    const { kafka, sends } = kafkaDropping(() => []);
    await new RecordPublisher(kafka).publish('dancu.source.civil-status.v1', records);
    expect(sends).toHaveLength(1);
  });

  it('R26: a partition that is never acknowledged fails the publish, naming the topic and partition, instead of passing for published', async () => {
    const { kafka, sends } = kafkaDropping(() => [2]);
    await expect(new RecordPublisher(kafka).publish('dancu.source.civil-status.v1', records)).rejects.toThrow(
      /Kafka acknowledged a send to dancu\.source\.civil-status\.v1 without partition\(s\) 2 after 5 more sends: \d+ records were not published/,
    );
    expect(sends).toHaveLength(6);
  });
});
