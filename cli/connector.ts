import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Presets, SingleBar } from 'cli-progress';
import { Argument, type Command } from 'commander';
import { connectorService, rejectLogPath, runConnectorProcess } from '../connectors/connector-process.ts';
import { fileFeed, simulatedFeed } from '../connectors/feed.ts';
import type { ConnectorSummary } from '../connectors/sdk/source-connector.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { SOURCES, type SourceName } from '../schemas/sources.ts';
import { dancuHome, heartbeatIntervalMs, parsePositiveInt, parseShare } from './settings.ts';
import { onShutdown, withTracing } from './shutdown.ts';

const sourceArgument = (): Argument => new Argument('<source>', 'the source system').choices(SOURCES);

interface ConnectorFlags {
  input?: string;
  citizens: string;
  seed: string;
  rate?: string;
  duplicates: string;
  reorder: string;
  bad: string;
}

export function registerConnectorCommands(program: Command): void {
  program
    .command('connector')
    .description(
      "Run one source connector: read the source's native records, map them to canonical events, " +
        'validate and publish them to dancu.source.<source>.v1. Simulated data unless --input is given. ' +
        'A checkpoint in $DANCU_HOME/checkpoints makes a restart continue where Kafka acknowledged.',
    )
    .addArgument(sourceArgument())
    .option('--input <file>', 'a JSONL (.jsonl/.ndjson) or CSV (.csv) file of native records instead of the simulator')
    .option('--citizens <n>', 'simulated population size', '10000')
    .option('--seed <n>', 'simulation seed (same seed, same population)', '1')
    .option('--rate <events-per-second>', 'publish at most this many events per second')
    .option('--duplicates <share>', 'share of simulated records sent twice', '0.02')
    .option('--reorder <share>', 'share of simulated records delivered out of order', '0.02')
    .option('--bad <share>', 'share of simulated records that are invalid', '0.01')
    .action((source: SourceName, flags: ConnectorFlags) =>
      withTracing(async (tracing) => {
        const signal = onShutdown();
        const beatEvery = heartbeatIntervalMs();
        const stack = await ensureStack({ log: (line) => console.error(line) });
        const feedId = flags.input ? `${source}.import.${basename(flags.input)}` : `${source}.simulated.seed-${flags.seed}`;
        const items = flags.input ? fileFeed(flags.input) : simulatedFeed(source, simulationOf(flags));
        const summary = await runConnectorProcess({
          source,
          feedId,
          items,
          kafkaBrokers: stack.kafkaBrokers,
          stateDir: dancuHome(),
          signal,
          ...(flags.rate ? { rate: parsePositiveInt(flags.rate, '--rate'), batchSize: 50 } : {}),
          onProgress: (progress) => process.stderr.write(`\r${source}: published ${progress.published}, rejected ${progress.rejected}   `),
          tracer: tracing.tracer(connectorService(source)),
          ...(beatEvery ? { heartbeatIntervalMs: beatEvery } : {}),
        });
        process.stderr.write('\n');
        printSummary(summary, rejectLogPath(dancuHome(), feedId));
      }),
    );

  program
    .command('import')
    .description(
      'Import a file of native records from a sectoral system (JSONL or CSV with a header row) and ' +
        'publish them as canonical events, with a progress bar and a summary of what was accepted and ' +
        'rejected, and why. Rejected records go to $DANCU_HOME/rejects/<source>.import.<file>.jsonl. ' +
        'Importing the same file again resumes after the last acknowledged record.',
    )
    .addArgument(sourceArgument())
    .argument('<file>', 'the JSONL or CSV file')
    .action((source: SourceName, file: string) =>
      withTracing(async (tracing) => {
        const signal = onShutdown();
        const beatEvery = heartbeatIntervalMs();
        const stack = await ensureStack({ log: (line) => console.error(line) });
        const total = await countRecords(file);
        const bar = new SingleBar(
          { format: `${source} [{bar}] {value}/{total} records | published {published} | rejected {rejected}` },
          Presets.shades_classic,
        );
        bar.start(total, 0, { published: 0, rejected: 0 });
        const feedId = `${source}.import.${basename(file)}`;
        const summary = await runConnectorProcess({
          source,
          feedId,
          items: fileFeed(file),
          kafkaBrokers: stack.kafkaBrokers,
          stateDir: dancuHome(),
          signal,
          onProgress: (progress) =>
            bar.update(progress.skipped + progress.published + progress.rejected, {
              published: progress.published,
              rejected: progress.rejected,
            }),
          tracer: tracing.tracer(connectorService(source)),
          ...(beatEvery ? { heartbeatIntervalMs: beatEvery } : {}),
        });
        bar.update(summary.skipped + summary.published + summary.rejected);
        bar.stop();
        printSummary(summary, rejectLogPath(dancuHome(), feedId));
        if (summary.published === 0 && summary.rejected > 0) process.exitCode = 1;
      }),
    );
}

function simulationOf(flags: ConnectorFlags) {
  return {
    seed: parsePositiveInt(flags.seed, '--seed'),
    citizens: parsePositiveInt(flags.citizens, '--citizens'),
    duplicateShare: parseShare(flags.duplicates, '--duplicates'),
    reorderShare: parseShare(flags.reorder, '--reorder'),
    badShare: parseShare(flags.bad, '--bad'),
  };
}

function printSummary(summary: ConnectorSummary, rejectLog: string): void {
  console.log(
    `${summary.source}: accepted and published ${summary.published}, rejected ${summary.rejected}` +
      (summary.skipped > 0 ? `, skipped ${summary.skipped} already published by an earlier run` : ''),
  );
  for (const [reason, count] of Object.entries(summary.rejectedByReason).sort((a, b) => b[1] - a[1])) {
    console.log(`  rejected ${count} × ${reason}`);
  }
  if (summary.rejected > 0) console.log(`  rejected records and their reasons: ${rejectLog}`);
}

/** Records in a file (lines that are not blank, minus the CSV header): the progress bar's total. */
async function countRecords(file: string): Promise<number> {
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() !== '') count += 1;
  }
  return file.toLowerCase().endsWith('.csv') ? Math.max(0, count - 1) : count;
}
