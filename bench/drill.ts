// npm run drill [-- --citizens N] [--only names] [--bound-seconds S]
// Fault drills on the real stack, each bounded in time, ending in one table: drill, events sent,
// applied, lost, duplicated, time to recover. Kafka and the store that are faulted are private
// ones (another port, another data directory); the shared stack is never stopped or frozen.
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import { printTable } from '../cli/table.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { type DrillResult, skipped } from '../testing/drills/drill-result.ts';
import { brokerSigkill, type DrillSettings, hubSigkill, sigtermKafkaDown, storeRestart } from '../testing/drills/ingest-drills.ts';
import { lookupFailover } from '../testing/drills/lookup-drill.ts';
import { publishBrokerSigkill } from '../testing/drills/publish-drill.ts';

const DRILLS: Record<string, (settings: DrillSettings) => Promise<DrillResult>> = {
  'hub-sigkill': hubSigkill,
  'store-restart': storeRestart,
  'kafka-down-sigterm': sigtermKafkaDown,
  'lookup-failover': (settings) => lookupFailover(settings),
  'broker-sigkill': brokerSigkill,
  'publish-broker-sigkill': publishBrokerSigkill,
};

const options = new Command()
  .name('drill')
  .description(
    'Fault drills on the real stack: a fault mid-ingest (or mid-lookups), then what was lost or duplicated and how long recovery took.',
  )
  .option('--citizens <n>', 'simulated citizens per ingest drill (about 9 events each)', '500')
  .option('--only <names>', `comma-separated drills to run, of: ${Object.keys(DRILLS).join(', ')}`)
  .option('--bound-seconds <s>', 'the longest any one wait of a drill may take', '240')
  .parse()
  .opts<{ citizens: string; only?: string; boundSeconds: string }>();

const names = options.only ? options.only.split(',').map((name) => name.trim()) : Object.keys(DRILLS);
const unknown = names.filter((name) => !(name in DRILLS));
if (unknown.length > 0) throw new Error(`unknown drill(s) ${unknown.join(', ')}: choose from ${Object.keys(DRILLS).join(', ')}`);

const stack = await ensureStack({ log: (line) => console.error(line) });
const settings: DrillSettings = {
  kafkaBrokers: stack.kafkaBrokers,
  mongodbUri: stack.mongodbUri,
  citizens: Number(options.citizens),
  boundMs: Number(options.boundSeconds) * 1000,
  log: (line) => console.error(line),
};
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const results: DrillResult[] = [];
for (const name of names) {
  console.error(`drill ${name}…`);
  const started = performance.now();
  try {
    results.push(await DRILLS[name]!(settings));
  } catch (error) {
    results.push({ ...skipped(name, ''), note: `FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
  }
  console.error(`drill ${name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
printTable([
  ['drill', 'sent', 'applied', 'lost', 'duplicated', 'recover (s)', 'note'],
  ...results.map((r) => [
    r.drill,
    String(r.sent),
    String(r.applied),
    String(r.lost),
    String(r.duplicated),
    r.recoverSeconds === undefined ? '—' : r.recoverSeconds.toFixed(1),
    r.note,
  ]),
]);
const bad = results.some((r) => r.lost > 0 || r.duplicated > 0 || r.note.startsWith('FAILED'));
process.exit(bad ? 1 : 0);
