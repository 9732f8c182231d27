// npm run bench:ingest-steps [-- --events N]
// Where ingest's store time goes, without Kafka: the simulated events that bench:ingest sends, cut
// into the slices the hub's consumer would hand over (500 records of each of a source topic's
// partitions) and applied round by round with `applyEvents` — the hub's own write path — with
// each store step timed. Beside it, in the same run and on the same store, the raw baseline's
// store work: the same events upserted as they are, 500 per unordered bulk write.
// Some steps overlap (reads beside the history append, two replace commands at once), so step
// times may add up to more than the wall time; each is the time its calls were in flight.
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import { simulateFirstEvents } from '../connectors/simulator/simulate-events.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { WrittenCitizens } from '../hub/ingest/written-citizens.ts';
import { PopulationStore, slices } from '../hub/store/population-store.ts';
import { sourceTopic, topicLayout } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';

const SLICE = 500;

const options = new Command()
  .name('bench:ingest-steps')
  .description("Ingest's store steps without Kafka, timed one by one, beside a raw bulk upsert of the same events in the same run.")
  .option('--events <n>', 'how many simulated events to apply', '60000')
  .parse()
  .opts<{ events: string }>();
const wanted = Number(options.events);
if (!Number.isInteger(wanted) || wanted <= 0) throw new Error('--events must be a positive whole number');

const stack = await ensureStack({ log: (line) => console.error(line) });
const { events, citizens } = simulateFirstEvents(wanted, 7);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`events: ${events.length} for ${citizens} simulated citizens, slices of ${SLICE} per partition`);

const database = `dancu_bench_steps_${Date.now().toString(36)}`;
const store = await PopulationStore.open({ uri: stack.mongodbUri, database });
try {
  const raw = store.db.collection<{ _id: string }>('raw_events');
  let started = performance.now();
  for (const slice of slices(events, SLICE)) {
    await raw.bulkWrite(
      slice.map((event) => ({
        replaceOne: { filter: { _id: event.eventId }, replacement: { ...event, _id: event.eventId }, upsert: true },
      })),
      { ordered: false },
    );
  }
  const rawSeconds = (performance.now() - started) / 1000;
  console.log(`baseline (bulk upsert of each event, no Kafka): ${rate(events.length, rawSeconds)} events/s (${rawSeconds.toFixed(1)} s)`);

  const steps = new Map<string, number>();
  timeSteps(store, steps);
  const cache = new WrittenCitizens();
  let rounds = 0;
  let writes = 0;
  started = performance.now();
  for (const round of roundsOf(events)) {
    await applyEvents(round, store, cache);
    rounds += 1;
    writes += new Set(round.map((event) => event.personalId)).size;
  }
  const hubSeconds = (performance.now() - started) / 1000;
  console.log(
    `hub write path (applyEvents: history, citizens): ${rate(events.length, hubSeconds)} events/s (${hubSeconds.toFixed(1)} s, ` +
      `${rounds} rounds, ${writes} citizen writes: ${(writes / events.length).toFixed(2)} per event)`,
  );
  console.log(`ratio hub write path / baseline: ${(rawSeconds / hubSeconds).toFixed(2)}`);
  console.log('time in flight per step (steps overlap):');
  for (const [step, ms] of steps) {
    console.log(`  ${step.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${(ms / events.length).toFixed(3)} ms per event`);
  }
} finally {
  await store.db.dropDatabase();
  await store.close();
}

/** Rounds as the hub's consumer forms them: one slice from each source partition at a time. */
function* roundsOf(all: readonly SourceEvent[]): Generator<SourceEvent[]> {
  const partitions = new Map<string, SourceEvent[]>();
  for (const event of all) {
    const topic = sourceTopic(event.source);
    const key = `${topic}/${partitionOf(event.personalId, topicLayout(topic).partitions)}`;
    const queue = partitions.get(key);
    if (queue) queue.push(event);
    else partitions.set(key, [event]);
  }
  for (let at = 0; ; at += SLICE) {
    const round = [...partitions.values()].flatMap((queue) => queue.slice(at, at + SLICE));
    if (round.length === 0) return;
    yield round;
  }
}

/** A stand-in for Kafka's key hash: what matters here is that one citizen stays on one partition. */
function partitionOf(personalId: string, partitions: number): number {
  return Number(personalId.slice(-4)) % partitions;
}

/** Wraps the store's collection calls so that each adds its time in flight to `steps`. */
function timeSteps(target: PopulationStore, steps: Map<string, number>): void {
  const wrap = <T extends object>(object: T, method: keyof T & string, step: string): void => {
    const original = (object[method] as (...args: unknown[]) => Promise<unknown>).bind(object);
    Object.assign(object, {
      [method]: async (...args: unknown[]) => {
        const begun = performance.now();
        try {
          return await original(...args);
        } finally {
          steps.set(step, (steps.get(step) ?? 0) + performance.now() - begun);
        }
      },
    });
  };
  wrap(target, 'appendHistory', 'append history (insertMany)');
  wrap(target, 'readCitizens', 'read citizens not in the cache ($in)');
  wrap(target.citizens, 'insertMany', 'citizens insertMany (first)');
  wrap(target.citizens, 'bulkWrite', 'citizens bulkWrite (replace)');
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}
