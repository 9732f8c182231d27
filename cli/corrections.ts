import { join } from 'node:path';
import type { Command } from 'commander';
import { correctionsGroup, correctionsOf, decideCorrection, followCorrections } from '../connectors/sdk/corrections.ts';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { CORRECTION_DECISIONS_TOPIC, CORRECTIONS_TOPIC, topicLayout } from '../kafka/topics.ts';
import { SOURCES, type SourceName } from '../schemas/sources.ts';
import { connectKafka } from '../kafka/connect.ts';
import { consumerLag } from '../kafka/group-offsets.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { dancuHome } from './settings.ts';
import { printTable } from './table.ts';

function sourceOf(value: string): SourceName {
  if (!(SOURCES as readonly string[]).includes(value)) throw new Error(`<source> must be one of ${SOURCES.join(', ')}, not ${JSON.stringify(value)}`);
  return value as SourceName;
}

const fileOf = (source: SourceName, file?: string) => file ?? join(dancuHome(), 'corrections', `${source}.jsonl`);
const CATCH_UP_MS = 60_000;

/** R37: a source register's corrections, received by its connector, decided by its staff, sent back to the hub. */
export function registerCorrectionsCommand(program: Command): void {
  const corrections = program
    .command('corrections')
    .description(
      "A source register's data-error reports (R37): receive those routed to it, decide them (accept, or reject with the reason) and send the decision back to the hub, " +
        'where the reporter reads it. The register\'s record is $DANCU_HOME/corrections/<source>.jsonl (--file).',
    );

  corrections
    .command('inbox')
    .description('Receive the corrections routed to <source> since the last run (its own consumer group), record them, and list those not decided yet. --follow keeps receiving until Ctrl-C.')
    .argument('<source>', SOURCES.join(' | '))
    .option('--file <path>', "the register's corrections file")
    .option('--follow', 'keep receiving')
    .action(async (name: string, o: { file?: string; follow?: boolean }) => {
      const source = sourceOf(name);
      const file = fileOf(source, o.file);
      const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: `dancu-corrections-${source}` });
      await ensureTopics(kafka, [topicLayout(CORRECTIONS_TOPIC)]);
      const consumer = followCorrections({ kafka, source, file, onReport: (report) => console.error(`received ${report.reportId}: ${report.field} of ${report.personalId}`) });
      const joined = consumer.joined();
      await consumer.start();
      if (o.follow) {
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      } else {
        await joined;
        const until = Date.now() + CATCH_UP_MS;
        while (Date.now() < until && (await consumerLag(kafka, correctionsGroup(source), [CORRECTIONS_TOPIC])).some((partition) => partition.lag > 0)) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await consumer.stop();
      printPending(source, await correctionsOf(file));
    });

  corrections
    .command('list')
    .description("Every correction in the register's record, with its decision once made.")
    .argument('<source>', SOURCES.join(' | '))
    .option('--file <path>', "the register's corrections file")
    .option('--json', 'one JSON object per line')
    .action(async (name: string, o: { file?: string; json?: boolean }) => {
      const source = sourceOf(name);
      const all = await correctionsOf(fileOf(source, o.file));
      if (o.json) for (const entry of all) console.log(JSON.stringify(entry));
      else printTable([['report', 'field', 'citizen', 'reported', 'decision', 'reason'], ...all.map(({ report, decision }) => [report.reportId, report.field, report.personalId, report.reportedAt, decision?.decision ?? 'pending', decision?.reason ?? ''])]);
    });

  corrections
    .command('decide')
    .description('Send the register\'s decision on one correction back to the hub (accepted, or rejected with the reason the reporter will read), and record it.')
    .argument('<source>', SOURCES.join(' | '))
    .argument('<report-id>')
    .option('--accept', 'the register corrected (or will correct) its record; publish the correction as a new event')
    .option('--reject', 'the register keeps its record')
    .option('--reason <text>', 'why (required to reject)')
    .requiredOption('--decided-by <name>', "who at the register decided (the register's own record; not an officer of the agency)")
    .option('--file <path>', "the register's corrections file")
    .action(async (name: string, reportId: string, o: { accept?: boolean; reject?: boolean; reason?: string; decidedBy: string; file?: string }) => {
      const source = sourceOf(name);
      if (o.accept === o.reject) throw new Error('say --accept or --reject');
      const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: `dancu-corrections-${source}` });
      await ensureTopics(kafka, [topicLayout(CORRECTION_DECISIONS_TOPIC)]);
      const publisher = new RecordPublisher(kafka);
      try {
        const decision = await decideCorrection({ publisher, source, file: fileOf(source, o.file) }, { reportId, decision: o.accept ? 'accepted' : 'rejected', decidedBy: o.decidedBy, ...(o.reason ? { reason: o.reason } : {}) });
        console.log(`correction ${decision.reportId} ${decision.decision}; sent to the hub`);
      } finally {
        await publisher.close();
      }
    });
}

function printPending(source: SourceName, all: Awaited<ReturnType<typeof correctionsOf>>): void {
  const pending = all.filter((entry) => entry.decision === undefined);
  if (pending.length === 0) {
    console.log(`no correction waits for ${source}'s decision`);
    return;
  }
  printTable([['report', 'field', 'citizen', 'proposed', 'description', 'reported by'], ...pending.map(({ report }) => [report.reportId, report.field, report.personalId, JSON.stringify(report.proposedValue).slice(0, 40), report.description.slice(0, 60), report.reportedBy.organisation])]);
}
