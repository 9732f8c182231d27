import type { Command } from 'commander';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { DLQ_TOPIC } from '../kafka/topics.ts';
import { connectKafka, readTopicToEnd } from '../kafka/transport.ts';
import { groupByReason, readDeadLetters } from '../hub/ingest/dead-letter-queue.ts';

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description(`Operator views of the dead-letter queue (${DLQ_TOPIC}).`);
  dlq
    .command('list')
    .description(
      `Read every record in ${DLQ_TOPIC} (without moving any consumer group) and show the dead ` +
        'letters grouped by reason: how many, from which source topics, when, and the latest ' +
        'example. With --reason, list that reason\'s letters one by one.',
    )
    .option('--reason <reason>', 'list the letters of one reason (e.g. schema-violation)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { reason?: string; json?: boolean }) => {
      const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: 'dancu-dlq' });
      const { letters, unreadable } = readDeadLetters(await readTopicToEnd(kafka, DLQ_TOPIC));
      if (options.reason !== undefined) {
        const mine = letters.filter((letter) => letter.reason === options.reason);
        if (options.json) {
          console.log(JSON.stringify(mine, null, 2));
          return;
        }
        for (const letter of mine) {
          console.log(`${letter.rejectedAt}  ${letter.sourceTopic}[${letter.partition}]@${letter.offset}  key ${letter.key ?? '∅'}  (dlq ${letter.dlqPartition}@${letter.dlqOffset})`);
          console.log(`    ${letter.path ? `${letter.path}: ` : ''}${letter.detail}`);
        }
        console.log(`${mine.length} dead letter(s) with reason ${options.reason}`);
        return;
      }
      const groups = groupByReason(letters);
      if (options.json) {
        console.log(JSON.stringify({ total: letters.length, unreadable, reasons: groups }, null, 2));
        return;
      }
      if (groups.length === 0) console.log(`${DLQ_TOPIC} is empty`);
      for (const group of groups) {
        const topics = Object.entries(group.bySourceTopic).map(([topic, count]) => `${topic} ${count}`).join(', ');
        console.log(`${group.reason.padEnd(18)} ${String(group.count).padStart(6)}   ${group.firstRejectedAt} … ${group.lastRejectedAt}`);
        console.log(`${''.padEnd(18)}        from ${topics}`);
        console.log(`${''.padEnd(18)}        latest: ${group.latest.path ? `${group.latest.path}: ` : ''}${group.latest.detail}`);
      }
      console.log(`${letters.length} dead letter(s)${unreadable > 0 ? `, ${unreadable} record(s) that are not dead letters` : ''}`);
    });
}
