import { join } from 'node:path';
import type { Command } from 'commander';
import { correctionsOf, decideCorrection, followCorrections } from '../connectors/sdk/corrections.ts';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { connectKafka } from '../kafka/connect.ts';
import { consumerLag } from '../kafka/group-offsets.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { correctionsGroup, correctionsTopic } from '../kafka/topics.ts';
import { SOURCES, type SourceName } from '../schemas/sources.ts';
import { dancuHome } from './settings.ts';
import { printTable } from './table.ts';

function sourceOf(value: string): SourceName {
  if (!(SOURCES as readonly string[]).includes(value))
    throw new Error(`<source> must be one of ${SOURCES.join(', ')}, not ${JSON.stringify(value)}`);
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
        "where the reporter reads it. The register's record is $DANCU_HOME/corrections/<source>.jsonl (--file). Reports come on dancu.corrections.<source>.v1 " +
        "(consumer group dancu-corrections-<source>), decisions go back on dancu.correction-decisions.<source>.v1; with the register's certificate " +
        '(KAFKA_BROKERS on the TLS listener, KAFKA_TLS_CA/CERT/KEY) it may use these and nothing of another register. The hub creates the topics when it starts.',
    );

  corrections
    .command('inbox')
    .description(
      'Receive the corrections routed to <source> since the last run (its own consumer group, dancu-corrections-<source>), record them, and list those not decided yet. --follow keeps receiving until Ctrl-C.',
    )
    .argument('<source>', SOURCES.join(' | '))
    .option('--file <path>', "the register's corrections file")
    .option('--follow', 'keep receiving')
    .action(async (name: string, o: { file?: string; follow?: boolean }) => {
      const source = sourceOf(name);
      const file = fileOf(source, o.file);
      const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: `dancu-corrections-${source}` });
      const consumer = followCorrections({
        kafka,
        source,
        file,
        onReport: (report) => console.error(`received ${report.reportId}: ${report.field} of ${report.personalId}`),
      });
      const joined = consumer.joined();
      await consumer.start().catch(async (error: unknown) => {
        await consumer.stop().catch(() => undefined); // its connection would keep the process alive
        throw new Error(
          `cannot read ${correctionsTopic(source)} (${error instanceof Error ? error.message : String(error)}): the hub creates it when it starts, and on the TLS listener only a certificate issued for ${source} (KAFKA_TLS_CERT) may read it`,
          { cause: error },
        );
      });
      if (o.follow) {
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      } else {
        await joined;
        const until = Date.now() + CATCH_UP_MS;
        while (
          Date.now() < until &&
          (await consumerLag(kafka, correctionsGroup(source), [correctionsTopic(source)])).some((partition) => partition.lag > 0)
        )
          await new Promise((resolve) => setTimeout(resolve, 250));
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
      else
        printTable([
          ['report', 'field', 'citizen', 'reported', 'decision', 'reason'],
          ...all.map(({ report, decision }) => [
            report.reportId,
            report.field,
            report.personalId,
            report.reportedAt,
            decision?.decision ?? 'pending',
            decision?.reason ?? '',
          ]),
        ]);
    });

  corrections
    .command('decide')
    .description(
      "Send the register's decision on one correction it received back to the hub (accepted, or rejected with the reason the reporter will read), and record it. The hub applies it only to a report it routed to <source>.",
    )
    .argument('<source>', SOURCES.join(' | '))
    .argument('<report-id>')
    .option('--accept', 'the register corrected (or will correct) its record; publish the correction as a new event')
    .option('--reject', 'the register keeps its record')
    .option('--reason <text>', 'why (required to reject)')
    .requiredOption('--decided-by <name>', "who at the register decided (the register's own record; not an officer of the agency)")
    .option('--file <path>', "the register's corrections file")
    .action(
      async (
        name: string,
        reportId: string,
        o: { accept?: boolean; reject?: boolean; reason?: string; decidedBy: string; file?: string },
      ) => {
        const source = sourceOf(name);
        if (o.accept === o.reject) throw new Error('say --accept or --reject');
        const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: `dancu-corrections-${source}` });
        const publisher = new RecordPublisher(kafka);
        try {
          const decision = await decideCorrection(
            { publisher, source, file: fileOf(source, o.file) },
            { reportId, decision: o.accept ? 'accepted' : 'rejected', decidedBy: o.decidedBy, ...(o.reason ? { reason: o.reason } : {}) },
          );
          console.log(`correction ${decision.reportId} ${decision.decision}; sent to the hub`);
        } finally {
          await publisher.close();
        }
      },
    );
}

function printPending(source: SourceName, all: Awaited<ReturnType<typeof correctionsOf>>): void {
  const pending = all.filter((entry) => entry.decision === undefined);
  if (pending.length === 0) {
    console.log(`no correction waits for ${source}'s decision`);
    return;
  }
  printTable([
    ['report', 'field', 'citizen', 'proposed', 'description', 'reported by'],
    ...pending.map(({ report }) => [
      report.reportId,
      report.field,
      report.personalId,
      JSON.stringify(report.proposedValue).slice(0, 40),
      report.description.slice(0, 60),
      report.reportedBy.organisation,
    ]),
  ]);
}
