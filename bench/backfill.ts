// npm run bench:backfill [-- --citizens N]
// A backfill: the full life histories of N simulated citizens, from all four sources, through
// Kafka into an empty store by a real `dancu hub` process. Prints the hub's events/s, the time
// that projects to for 1 million and for 104 million citizens, the hub process's peak RSS (goal:
// under 400 MB), and, as the baseline measured in the same run on the same store, the same
// history records written with plain unordered insertMany (no Kafka, no merge, no citizen writes).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { HUB_NODE_FLAGS } from '../cli/hub-node-flags.ts';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { eventDigest } from '../hub/citizen/event-digest.ts';
import { historyRecordOf } from '../hub/citizen/merge.ts';
import { encodeHistoryRecord, type StoredHistoryRecord } from '../hub/store/stored-history.ts';
import { connectKafka } from '../kafka/connect.ts';
import { consumerLag, startGroupAtEnd } from '../kafka/group-offsets.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { ALL_TOPICS, sourceTopic, topicLayout } from '../kafka/topics.ts';
import { SOURCES } from '../schemas/sources.ts';

const options = new Command()
  .name('bench:backfill')
  .description(
    "Backfill throughput and memory: a real hub process drains N citizens' life histories into an empty store, beside plain insertMany of the same history records.",
  )
  .option('--citizens <n>', 'how many simulated citizens', '100000')
  .parse()
  .opts<{ citizens: string }>();
const citizens = Number(options.citizens);
if (!Number.isInteger(citizens) || citizens <= 0) throw new Error('--citizens must be a positive whole number');

const NATIONAL_POPULATION = 104_000_000;
const stack = await ensureStack({ log: (line) => console.error(line) });
const kafka = connectKafka({ brokers: stack.kafkaBrokers, clientId: 'dancu-bench-backfill' });
await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
const runId = Date.now().toString(36);
const topics = SOURCES.map(sourceTopic);
const groupId = `bench-backfill-${runId}`;
await startGroupAtEnd(kafka, groupId, topics);

const events = simulateEvents({ seed: 11, citizens });
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(
  `citizens: ${citizens.toLocaleString('en-US')}, events: ${events.length.toLocaleString('en-US')} (${(events.length / citizens).toFixed(1)} per citizen)`,
);

const publisher = new RecordPublisher(kafka);
for (const source of SOURCES) {
  const mine = events.filter((event) => event.source === source);
  for (let i = 0; i < mine.length; i += 2000) {
    await publisher.publish(
      sourceTopic(source),
      mine.slice(i, i + 2000).map((event) => ({ key: event.personalId, value: JSON.stringify(event) })),
    );
  }
}
await publisher.close();

// Baseline: the same history records, plain insertMany in slices of 500, into the same store.
const mongo = await MongoClient.connect(stack.mongodbUri);
const baselineDb = mongo.db(`dancu_backfill_baseline_${runId}`);
const records = events.map((event) => encodeHistoryRecord(historyRecordOf(event, eventDigest(event), new Date())));
let started = performance.now();
for (let i = 0; i < records.length; i += 500)
  await baselineDb.collection<StoredHistoryRecord>('history').insertMany(records.slice(i, i + 500), { ordered: false });
const baselineSeconds = (performance.now() - started) / 1000;
await baselineDb.dropDatabase();
console.log(
  `baseline (insertMany of the history records): ${rate(events.length, baselineSeconds)} events/s (${baselineSeconds.toFixed(1)} s)`,
);

// The hub, as a process of its own, so its memory is its own, with the Node.js flags production uses.
const database = `dancu_backfill_${runId}`;
const hub = spawn(
  process.execPath,
  [
    ...HUB_NODE_FLAGS,
    'bin/dancu.js',
    'hub',
    '--group',
    groupId,
    '--insecure-plaintext',
    '--admin-port',
    '0',
    '--grpc-address',
    '127.0.0.1:0',
  ],
  {
    env: { ...process.env, KAFKA_BROKERS: stack.kafkaBrokers.join(','), MONGODB_URI: stack.mongodbUri, DANCU_DB: database },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let hubLog = '';
hub.stderr!.on('data', (chunk: Buffer) => (hubLog += chunk.toString()));
let peakRssMb = 0;
const sampler = setInterval(() => {
  const status = readFileSync(`/proc/${hub.pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  peakRssMb = Math.max(peakRssMb, rss);
}, 500);
while (!hubLog.includes('hub running')) {
  if (hub.exitCode !== null) throw new Error(`the hub exited: ${hubLog}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
started = performance.now();
for (;;) {
  const lag = await consumerLag(kafka, groupId, topics);
  if (lag.every((partition) => partition.lag === 0)) break;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
const hubSeconds = (performance.now() - started) / 1000;
clearInterval(sampler);
hub.kill('SIGTERM');
await new Promise((resolve) => hub.once('exit', resolve));
await mongo.db(database).dropDatabase();
await mongo.close();

const perSecond = events.length / hubSeconds;
const eventsPerCitizen = events.length / citizens;
console.log(
  `hub (dancu hub: validate, history, citizens, changes, journal): ${rate(events.length, hubSeconds)} events/s (${hubSeconds.toFixed(1)} s)`,
);
console.log(`ratio hub / baseline: ${(baselineSeconds / hubSeconds).toFixed(2)}`);
console.log(
  `projected, one hub at this rate: 1 million citizens ${hours((1_000_000 * eventsPerCitizen) / perSecond)}, ${NATIONAL_POPULATION / 1e6} million ${hours((NATIONAL_POPULATION * eventsPerCitizen) / perSecond)}`,
);
console.log(`hub peak RSS: ${Math.round(peakRssMb)} MB (goal < 400 MB)`);
process.exit(0);

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}

function hours(seconds: number): string {
  return seconds >= 86_400 * 2 ? `${(seconds / 86_400).toFixed(1)} days` : `${(seconds / 3_600).toFixed(1)} h`;
}
