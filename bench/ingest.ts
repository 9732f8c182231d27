// npm run bench:ingest [-- --events N]
// Pushes N simulated events through Kafka into the store and measures how fast the hub drains
// them, beside a raw baseline on the same records in the same run: a plain kafkajs consumer
// doing one bulk upsert per batch, with no validation, merge, history, DLQ or change feed.
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { ensureStack } from '../deploy/local/stack.ts';
import { ALL_TOPICS, HEADERS, SOURCES, sourceTopic, topicLayout } from '../kafka/topics.ts';
import { RecordPublisher, connectKafka, ensureTopics, startGroupAtEnd } from '../kafka/transport.ts';
import { IngestService } from '../hub/ingest/ingest-service.ts';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';

const options = new Command()
  .name('bench:ingest')
  .description('Ingest throughput: the hub versus a raw Kafka → bulk-upsert baseline, same records, same run.')
  .option('--events <n>', 'how many events to push', '200000')
  .parse()
  .opts<{ events: string }>();

const wanted = Number(options.events);
if (!Number.isInteger(wanted) || wanted <= 0) throw new Error('--events must be a positive whole number');

const stack = await ensureStack({ log: (line) => console.error(line) });
const kafka = connectKafka({ brokers: stack.kafkaBrokers, clientId: 'dancu-bench' });
await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
const runId = Date.now().toString(36);
const topics = SOURCES.map(sourceTopic);
const hubGroup = `bench-hub-${runId}`;
const rawGroup = `bench-raw-${runId}`;
await startGroupAtEnd(kafka, hubGroup, topics);
await startGroupAtEnd(kafka, rawGroup, topics);

// Simulate a population large enough for N events; each citizen yields several events.
let citizens = Math.max(10, Math.ceil(wanted / 6));
let events = simulateEvents({ seed: 7, citizens });
while (events.length < wanted) {
  citizens = Math.ceil(citizens * 1.3);
  events = simulateEvents({ seed: 7, citizens });
}
events = events.slice(0, wanted);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`events: ${events.length} for ${citizens} simulated citizens`);

const publisher = new RecordPublisher(kafka);
let started = performance.now();
for (const source of SOURCES) {
  const mine = events.filter((event) => event.source === source);
  for (let i = 0; i < mine.length; i += 2000) {
    await publisher.publish(
      sourceTopic(source),
      mine.slice(i, i + 2000).map((event) => ({ key: event.personalId, value: JSON.stringify(event), headers: { [HEADERS.eventId]: event.eventId } })),
    );
  }
}
await publisher.close();
const produceSeconds = (performance.now() - started) / 1000;
console.log(`produce: ${rate(events.length, produceSeconds)} events/s (${produceSeconds.toFixed(1)} s)`);

// Baseline: plain consume + bulk upsert of each record as it is.
const database = `dancu_bench_${runId}`;
const mongo = new MongoClient(stack.mongodbUri);
await mongo.connect();
const raw = mongo.db(database).collection<{ _id: string }>('raw_events');
let rawCount = 0;
started = performance.now();
const rawConsumer = kafka.consumer({ groupId: rawGroup, maxBytesPerPartition: 4 * 1024 * 1024 });
await rawConsumer.connect();
await rawConsumer.subscribe({ topics, fromBeginning: false });
const rawDone = new Promise<void>((resolve) => {
  void rawConsumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      const docs = batch.messages.map((message) => JSON.parse(message.value!.toString()) as { eventId: string });
      await raw.bulkWrite(
        docs.map((doc) => ({ replaceOne: { filter: { _id: doc.eventId }, replacement: { ...doc, _id: doc.eventId }, upsert: true } })),
        { ordered: false },
      );
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      rawCount += docs.length;
      if (rawCount >= events.length) resolve();
    },
  });
});
await rawDone;
const rawSeconds = (performance.now() - started) / 1000;
await rawConsumer.disconnect();
console.log(`baseline (kafkajs consume + bulk upsert): ${rate(events.length, rawSeconds)} events/s (${rawSeconds.toFixed(1)} s)`);

// The hub: validation, merge with authority rules, history, change feed, DLQ.
let hubCount = 0;
let drained: () => void = () => {};
const hubDrained = new Promise<void>((resolve) => {
  drained = resolve;
});
started = performance.now();
const hub = await IngestService.start({
  kafkaBrokers: stack.kafkaBrokers,
  mongodbUri: stack.mongodbUri,
  database,
  groupId: hubGroup,
  onBatch: (outcome) => {
    hubCount += outcome.received;
    if (hubCount >= events.length) drained();
  },
});
await hubDrained;
const hubSeconds = (performance.now() - started) / 1000;
await hub.stop();
console.log(`hub (validate + merge + history + changes): ${rate(events.length, hubSeconds)} events/s (${hubSeconds.toFixed(1)} s)`);
console.log(`ratio hub / baseline: ${(rawSeconds / hubSeconds).toFixed(2)}`);

await mongo.db(database).dropDatabase();
await mongo.close();
process.exit(0);

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}
