import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { redactDeadLetter } from '../hub/admin/redact-dead-letter.ts';
import { redactValues } from '../hub/admin/redact-values.ts';
import { groupByReason, readDeadLetterQueue, readDeadLetters } from '../hub/ingest/dead-letter-queue.ts';
import { letterId, replayDeadLetters } from '../hub/ingest/dead-letter-replay.ts';
import { Journal } from '../hub/journal/journal.ts';
import { journalOperatorRead } from '../hub/operations/operator-read.ts';
import { Registry } from '../hub/registry/registry.ts';
import { connectKafka } from '../kafka/connect.ts';
import { readRecordAt } from '../kafka/read-record-at.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { DLQ_TOPIC } from '../kafka/topics.ts';
import { checkPersonalId } from '../schemas/personal-id.ts';
import { authenticatedOfficer, OFFICER_OPTION_HELP, type OfficerFlags } from './officer.ts';
import { databaseName, parsePositiveInt } from './settings.ts';

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description(`Operator views of the dead-letter queue (${DLQ_TOPIC}).`);
  dlq
    .command('list')
    .description(
      `Read every record in ${DLQ_TOPIC} (without moving any consumer group) and show the dead ` +
        'letters grouped by reason: how many, from which source topics, when, and the latest ' +
        "example. With --reason, list that reason's letters one by one. Values are redacted: keys " +
        '(personal ids), values quoted in details, header values and the original bytes are never shown ' +
        '(only its size and digest); `dancu dlq show` shows one letter whole to an officer, journaled.',
    )
    .option('--reason <reason>', 'list the letters of one reason (e.g. schema-violation)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { reason?: string; json?: boolean }) => {
      const kafka = connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: 'dancu-dlq' });
      const queue = await readDeadLetterQueue(kafka);
      const letters = queue.letters.map(redactDeadLetter);
      const { unreadable } = queue;
      if (options.reason !== undefined) {
        const mine = letters.filter((letter) => letter.reason === options.reason);
        if (options.json) {
          console.log(JSON.stringify(mine, null, 2));
          return;
        }
        for (const letter of mine) {
          console.log(
            `${letter.rejectedAt}  ${letter.sourceTopic}[${letter.partition}]@${letter.offset}  key ${letter.key ?? '∅'}  (dlq ${letter.dlqPartition}@${letter.dlqOffset})`,
          );
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
        const topics = Object.entries(group.bySourceTopic)
          .map(([topic, count]) => `${topic} ${count}`)
          .join(', ');
        console.log(`${group.reason.padEnd(18)} ${String(group.count).padStart(6)}   ${group.firstRejectedAt} … ${group.lastRejectedAt}`);
        console.log(`${''.padEnd(18)}        from ${topics}`);
        console.log(`${''.padEnd(18)}        latest: ${group.latest.path ? `${group.latest.path}: ` : ''}${group.latest.detail}`);
      }
      console.log(`${letters.length} dead letter(s)${unreadable > 0 ? `, ${unreadable} record(s) that are not dead letters` : ''}`);
    });

  dlq
    .command('show')
    .description(
      'Show one dead letter whole — its key, detail, headers and original bytes — to an officer, with their operator ' +
        'certificate, who says why. The read is journaled (act operator-read, naming the officer and the ' +
        'citizen the key names) before anything is shown; anyone else is refused, and that is journaled too. ' +
        'Uses KAFKA_BROKERS, MONGODB_URI and DANCU_DB.',
    )
    .argument('<partition:offset>', "the letter's place in the dead-letter topic, as `dlq list --reason` shows it (dlq P@O)")
    .option('--officer <id>', `the officer reading: ${OFFICER_OPTION_HELP}`)
    .requiredOption('--reason <text>', 'why the values are needed (journaled)')
    .option('--json', 'print JSON')
    .action(async (place: string, options: { reason: string; json?: boolean } & OfficerFlags) => {
      const match = /^(\d+)[:@](\d+)$/.exec(place);
      if (!match) throw new Error(`${JSON.stringify(place)} is not a letter's place: write partition:offset, e.g. 0:42`);
      const endpoints = resolveEndpoints();
      const kafka = connectKafka({ brokers: endpoints.kafkaBrokers, clientId: 'dancu-dlq' });
      const letter = readDeadLetters([await readRecordAt(kafka, DLQ_TOPIC, Number(match[1]), match[2]!)]).letters[0];
      if (!letter) throw new Error(`${DLQ_TOPIC}[${match[1]}]@${match[2]} is not a dead letter`);
      const key = letter.key ?? null;
      const client = await MongoClient.connect(endpoints.mongodbUri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu-dlq' });
      const db = client.db(databaseName());
      const journal = await Journal.open(db);
      try {
        const registry = await Registry.open(db, journal);
        await journalOperatorRead(
          { journal, authenticate: () => authenticatedOfficer(registry, options, 'dlq-show') },
          {
            action: 'dlq-show',
            operator: options.officer ?? process.env.USER ?? 'operator',
            citizens: key !== null && checkPersonalId(key).length === 0 ? [key] : [],
            fields: [],
            detail: `dead letter ${letterId(letter)} (${letter.reason}) from ${letter.sourceTopic}[${letter.partition}]@${letter.offset}: ${redactValues(options.reason.trim())}`,
          },
        );
      } finally {
        await journal.close();
        await client.close();
      }
      const original = letter.originalValueBase64 === undefined ? null : Buffer.from(letter.originalValueBase64, 'base64').toString('utf8');
      if (options.json) {
        console.log(JSON.stringify({ ...letter, original: { ...letter.original, value: original } }, null, 2));
        return;
      }
      console.log(`${letter.rejectedAt}  ${letter.reason}  ${letter.sourceTopic}[${letter.partition}]@${letter.offset}  key ${key ?? '∅'}`);
      console.log(`detail   ${letter.path ? `${letter.path}: ` : ''}${letter.detail}`);
      for (const [name, value] of Object.entries(letter.headers)) console.log(`header   ${name}: ${value ?? ''}`);
      console.log(
        `original ${letter.original.bytes} bytes, sha256 ${letter.original.sha256}${original === null ? ' (not in the letter: too large)' : ''}`,
      );
      if (original !== null) console.log(original);
    });

  dlq
    .command('replay')
    .description(
      'Once the cause of a rejection is fixed (say, the hub now knows a new event type), re-submit ' +
        "the chosen dead letters' original bytes, key and headers to their original source topic for " +
        'the hub to judge again. Idempotent: a letter already replayed is skipped. Each run is journaled ' +
        'with the operator and the note. Uses KAFKA_BROKERS, MONGODB_URI and DANCU_DB.',
    )
    .requiredOption('--reason <reason>', 'replay the letters of this reason (see `dancu dlq list`)')
    .requiredOption('--note <text>', 'why the cause is now fixed (journaled)')
    .option('--source-topic <topic>', 'only letters from this source topic')
    .option('--letter <partition:offset...>', 'only these letters (their place in the dead-letter topic, as `dlq list --reason` shows)')
    .option('--limit <n>', 'at most this many letters', (value) => parsePositiveInt(value, '--limit'))
    .option('--officer <id>', `the officer replaying: ${OFFICER_OPTION_HELP}`)
    .option('--dry-run', 'list what would be replayed, change nothing')
    .action(
      async (
        options: { reason: string; note: string; sourceTopic?: string; letter?: string[]; limit?: number; dryRun?: boolean } & OfficerFlags,
      ) => {
        const endpoints = resolveEndpoints();
        const kafka = connectKafka({ brokers: endpoints.kafkaBrokers, clientId: 'dancu-dlq' });
        const { letters } = await readDeadLetterQueue(kafka);
        const wanted = new Set(options.letter ?? []);
        const chosen = letters
          .filter((letter) => letter.reason === options.reason)
          .filter((letter) => options.sourceTopic === undefined || letter.sourceTopic === options.sourceTopic)
          .filter((letter) => wanted.size === 0 || wanted.has(letterId(letter)))
          .slice(0, options.limit ?? Number.MAX_SAFE_INTEGER);
        if (chosen.length === 0) {
          console.log(`no dead letters match (reason ${options.reason}${options.sourceTopic ? `, from ${options.sourceTopic}` : ''})`);
          return;
        }
        if (options.dryRun) {
          for (const letter of chosen)
            console.log(
              `would replay dlq ${letterId(letter)}: ${letter.sourceTopic}[${letter.partition}]@${letter.offset} key ${letter.key ?? '∅'}`,
            );
          console.log(`${chosen.length} dead letter(s) would be replayed (letters replayed before are skipped)`);
          return;
        }
        const client = await MongoClient.connect(endpoints.mongodbUri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu-dlq' });
        const publisher = new RecordPublisher(kafka);
        const journal = await Journal.open(client.db(databaseName()));
        try {
          const officer = await authenticatedOfficer(await Registry.open(client.db(databaseName()), journal), options, 'dlq-replay');
          const outcome = await replayDeadLetters(chosen, {
            db: client.db(databaseName()),
            publisher,
            readOriginal: (topic, partition, offset) => readRecordAt(kafka, topic, partition, offset),
            journal,
            operator: officer,
            note: options.note,
          });
          console.log(
            `replayed ${outcome.replayed} dead letter(s), skipped ${outcome.skipped} already replayed; journal entry ${outcome.journalEntry}`,
          );
        } finally {
          await journal.close();
          await publisher.close();
          await client.close();
        }
      },
    );
}
