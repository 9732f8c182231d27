// npm run bench:ingest [-- --events N] [--tracing]
// Pushes N simulated events through Kafka into the store and measures how fast the hub drains
// them, beside a raw baseline on the same records in the same run: a plain kafkajs consumer
// doing one bulk upsert per batch, with no validation, merge, history, DLQ or change feed.
// The records carry a sampled `traceparent`, as from a connector that exports its spans.
// The hub runs as `dancu hub` does without OTEL_* settings (trace ids only, nothing exported);
// with --tracing it then drains the same records again, into a second database, exporting every
// span over OTLP (to OTEL_EXPORTER_OTLP_ENDPOINT, else the local Jaeger, started if needed).
import { cpus, totalmem } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { simulateFirstEvents } from '../connectors/simulator/simulate-events.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { HUB_SERVICE, IngestService } from '../hub/ingest/ingest-service.ts';
import { watchConnectors } from '../hub/operations/connector-watch.ts';
import { connectKafka } from '../kafka/connect.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { ALL_TOPICS, HEADERS, sourceTopic, topicLayout } from '../kafka/topics.ts';
import { SOURCES } from '../schemas/sources.ts';
import { withTraceContext } from '../telemetry/trace-context.ts';
import { startTracing } from '../telemetry/tracing.ts';

const options = new Command()
  .name('bench:ingest')
  .description('Ingest throughput: the hub versus a raw Kafka → bulk-upsert baseline, same records, same run.')
  .option('--events <n>', 'how many events to push', '200000')
  .option('--tracing', 'also run the hub with every span exported over OTLP, and report the overhead')
  .parse()
  .opts<{ events: string; tracing?: boolean }>();

const wanted = Number(options.events);
if (!Number.isInteger(wanted) || wanted <= 0) throw new Error('--events must be a positive whole number');

const stack = await ensureStack({
  log: (line) => console.error(line),
  withTracing: Boolean(options.tracing) && !process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
});
const kafka = connectKafka({ brokers: stack.kafkaBrokers, clientId: 'dancu-bench' });
await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
const runId = Date.now().toString(36);
const topics = SOURCES.map(sourceTopic);
const hubGroup = `bench-hub-${runId}`;
const tracedGroup = `bench-hub-traced-${runId}`;
const rawGroup = `bench-raw-${runId}`;
for (const group of [hubGroup, rawGroup, ...(options.tracing ? [tracedGroup] : [])]) await startGroupAtEnd(kafka, group, topics);

const { events, citizens } = simulateFirstEvents(wanted, 7);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`events: ${events.length} for ${citizens} simulated citizens`);

const publisher = new RecordPublisher(kafka);
const connectorTracer = new BasicTracerProvider().getTracer('bench'); // sampled ids, nothing exported
let started = performance.now();
for (const source of SOURCES) {
  const mine = events.filter((event) => event.source === source);
  for (let i = 0; i < mine.length; i += 2000) {
    await publisher.publish(
      sourceTopic(source),
      mine.slice(i, i + 2000).map((event) => ({
        key: event.personalId,
        value: JSON.stringify(event),
        headers: withTraceContext({ [HEADERS.eventId]: event.eventId }, connectorTracer.startSpan('send')),
      })),
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
const idsOnly = startTracing();
const hubSeconds = await drainWithHub(hubGroup, database, idsOnly.tracer(HUB_SERVICE));
console.log(
  `hub (validate + merge + history + changes; tracing ${idsOnly.mode}): ${rate(events.length, hubSeconds)} events/s (${hubSeconds.toFixed(1)} s)`,
);
console.log(`ratio hub / baseline: ${(rawSeconds / hubSeconds).toFixed(2)}`);

if (options.tracing) {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT ||= stack.tracing?.otlpEndpoint;
  const exporting = startTracing();
  const tracedSeconds = await drainWithHub(tracedGroup, `${database}_traced`, exporting.tracer(HUB_SERVICE));
  const flushStarted = performance.now();
  await exporting.shutdown();
  const flushSeconds = (performance.now() - flushStarted) / 1000;
  console.log(
    `hub with tracing ${exporting.mode} (OTLP to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}): ${rate(events.length, tracedSeconds)} events/s ` +
      `(${tracedSeconds.toFixed(1)} s, then ${flushSeconds.toFixed(1)} s to flush the last spans)`,
  );
  console.log(`tracing overhead: traced / untraced throughput ${(hubSeconds / tracedSeconds).toFixed(2)}`);
  await mongo.db(`${database}_traced`).dropDatabase();
}

await mongo.db(database).dropDatabase();
await mongo.close();
process.exit(0);

/** Starts a hub on its own group and database and resolves with the seconds it took to drain every event. */
async function drainWithHub(groupId: string, db: string, tracer: Tracer): Promise<number> {
  let count = 0;
  let drained: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const begun = performance.now();
  const hub = await IngestService.start({
    kafkaBrokers: stack.kafkaBrokers,
    mongodbUri: stack.mongodbUri,
    database: db,
    groupId,
    tracer,
    onBatch: (outcome) => {
      count += outcome.received;
      if (count >= events.length) drained();
    },
  });
  // As in `dancu hub`: the connectors feeding it are watched beside ingest.
  const monitor = await watchConnectors(hub);
  await done;
  const seconds = (performance.now() - begun) / 1000;
  await monitor.stop();
  await hub.stop();
  return seconds;
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}
