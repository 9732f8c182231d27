// The local stack really serves what dancu needs: kafkajs (unmaintained, and Kafka 4 dropped old
// protocol versions) can administer, produce to and consume from the broker; a producer that
// is not kafkajs reaches our consumers; and the MongoDB driver works against FerretDB.
// Every run uses fresh topic, group and database names, so runs never see each other's data.
import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaConsoleProduce, stackUp } from '../deploy/local/stack.ts';
import { testEndpoints } from './endpoints.ts';

const unique = () => `${Date.now()}-${randomUUID().slice(0, 8)}`;

interface ReadRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
}

describe('the local stack', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: 'dancu-stack-test',
      brokers: testEndpoints().kafkaBrokers,
      logLevel: logLevel.ERROR,
    });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  async function createTopic(purpose: string): Promise<string> {
    const topic = `dancu-test.stack.${purpose}.${unique()}`;
    topics.push(topic);
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, replicationFactor: -1 }],
    });
    expect(created).toBe(true);
    return topic;
  }

  /** Reads `count` records as a consumer group member, committing each offset by hand after reading it. */
  async function readInGroup(topic: string, groupId: string, count: number): Promise<ReadRecord[]> {
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const records: ReadRecord[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              records.push({
                partition,
                offset: message.offset,
                key: message.key?.toString(),
                value: message.value?.toString(),
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
              });
              await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
              if (records.length === count) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return records;
  }

  it('a second `up` starts nothing', async () => {
    const reports = await stackUp();
    for (const report of reports) expect(report.outcome).not.toBe('started');
  });

  it('kafkajs creates a topic, produces with acks from all replicas, and consumes it in a group with manual commits', async () => {
    const topic = await createTopic('kafkajs');
    expect(await admin.listTopics()).toContain(topic);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const [ack] = await producer.send({
      topic,
      acks: -1,
      messages: [{ key: '001234567890', value: '{"event":"birth"}', headers: { 'dancu-event-id': 'e-1' } }],
    });
    await producer.disconnect();
    expect(ack?.errorCode).toBe(0);

    const groupId = `dancu-test.stack.group.${unique()}`;
    const [record] = await readInGroup(topic, groupId, 1);
    expect(record).toMatchObject({
      key: '001234567890',
      value: '{"event":"birth"}',
      headers: { 'dancu-event-id': 'e-1' },
    });

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const partition = committed?.partitions.find((entry) => entry.partition === record?.partition);
    expect(partition?.offset).toBe((BigInt(record!.offset) + 1n).toString());
  });

  it("a record written by Kafka's own console producer reaches a kafkajs consumer intact", async () => {
    const topic = await createTopic('console');
    const records = [
      { key: '001234567890', value: '{"name":"Nguyễn Văn A","note":"JSON with spaces, colons: and unicode"}' },
      { key: '009876543210', value: '{"name":"Trần Thị B"}' },
    ];
    await kafkaConsoleProduce(testEndpoints().kafkaBrokers, topic, records);

    const read = await readInGroup(topic, `dancu-test.stack.group.${unique()}`, records.length);
    expect(read.map(({ key, value }) => ({ key, value }))).toEqual(expect.arrayContaining(records));
  });

  it('the MongoDB driver pings FerretDB and reads back what it inserted', async () => {
    const client = new MongoClient(testEndpoints().mongodbUri);
    const database = `dancu_test_stack_${unique().replace(/-/g, '_')}`;
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      const citizens = client.db(database).collection<{ _id: string; name: string }>('citizens');
      await citizens.insertOne({ _id: '001234567890', name: 'Nguyễn Văn A' });
      expect(await citizens.findOne({ _id: '001234567890' })).toEqual({ _id: '001234567890', name: 'Nguyễn Văn A' });
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
