import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type Db, MongoClient } from 'mongodb';
import { isListening } from '../deploy/local/address.ts';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { DancuError } from '../errors/dancu-error.ts';
import { readJournalSigningKey } from '../hub/api/hub-api.ts';
import { compareHeads, isDisagreement } from '../hub/journal/head-comparison.ts';
import { type HeadWitness, kafkaHeadWitness } from '../hub/journal/head-witness.ts';
import { Journal } from '../hub/journal/journal.ts';
import {
  chainHeads,
  chainLabel,
  entryReference,
  headNumber,
  headOrder,
  parseEntryReference,
  placeOf,
} from '../hub/journal/journal-chain.ts';
import { journalCollections, knownChains, latestRetentionRecord } from '../hub/journal/journal-collections.ts';
import type { JournalEntry } from '../hub/journal/journal-entry.ts';
import { DEFAULT_QUERY_LIMIT, type JournalQuery, MAX_QUERY_LIMIT, queryJournal } from '../hub/journal/query-journal.ts';
import { removeExpiredEntries } from '../hub/journal/remove-expired.ts';
import { ed25519Problem } from '../hub/journal/signed-document.ts';
import { type JournalVerdict, verifyJournal } from '../hub/journal/verify-journal.ts';
import { connectKafka } from '../kafka/connect.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { JOURNAL_HEADS_TOPIC } from '../kafka/topics.ts';
import { authenticatedOfficer, OFFICER_OPTION_HELP, type OfficerFlags } from './officer.ts';
import { withRegistry } from './registry.ts';
import { dancuHome, databaseName, parsePositiveInt, pkiDir } from './settings.ts';
import { printTable } from './table.ts';

/** Where `dancu pki init` leaves the hub's public signing key. */
function defaultPublicKeyPath(): string {
  return join(process.env.DANCU_PKI_DIR || join(dancuHome(), 'pki'), 'hub-signing.pub.pem');
}

export function registerJournalCommand(program: Command): void {
  const journal = program.command('journal').description('The journal of every connection, sharing and exploitation (R35).');
  journal
    .command('verify')
    .description(
      'Walk the whole journal — every chain: one per hub instance, and the shared one — and check each ' +
        'hash chain, its chain of signed heads and its retention record, and compare the heads with those ' +
        `published to ${JOURNAL_HEADS_TOPIC} (the outside witness, read first; the output says whether it ` +
        'was). Prints "journal ok" with the counts per chain, or names the chain and its first bad entry ' +
        '(and head) — chain-missing, prefix-deleted, deleted, edited, reordered, broken-link, ' +
        'tail-truncated, head-deleted, head-chain-broken, head-mismatch, witness-mismatch, ' +
        'bad-head-signature, bad-retention-record — and exits 1. Without a public key, signatures are ' +
        'not checked. Uses KAFKA_BROKERS, MONGODB_URI and DANCU_DB.',
    )
    .option('--public-key <pem>', `the hub's Ed25519 public key (default: ${defaultPublicKeyPath()} when it exists)`)
    .option('--no-witness', `check the store alone, without reading ${JOURNAL_HEADS_TOPIC}`)
    .action(async (options: { publicKey?: string; witness: boolean }) => {
      const keyPath = options.publicKey ?? (existsSync(defaultPublicKeyPath()) ? defaultPublicKeyPath() : undefined);
      const publicKey = keyPath === undefined ? undefined : readPublicKey(keyPath);
      const signatures = keyPath
        ? `signatures checked with ${keyPath}`
        : `signatures not checked: no public key at ${defaultPublicKeyPath()}`;
      const { verdict, witnessNote } = await withJournalDb((db) => verifyAgainstWitness(db, publicKey, options.witness));
      const witness = verdict.witness
        ? `outside witness checked: ${verdict.witness.heads} heads in ${verdict.witness.where}`
        : `outside witness NOT checked, ${witnessNote}: a tail deleted together with its heads would go unseen`;
      if (verdict.firstBad) {
        const { chain, sequence, head, problem, detail } = verdict.firstBad;
        console.log(
          `journal tampered: entry ${sequence}${head === undefined ? '' : ` (signed head ${head})`} ${problem} in ${chainLabel(chain)} — ${detail}`,
        );
        console.log(`${verdict.checked} entries verified before it; ${signatures}; ${witness}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `journal ok: ${verdict.checked} entries, ${verdict.signedHeads} signed heads${removed(verdict)} (${signatures}; ${witness})`,
      );
      for (const part of verdict.chains) {
        const retained = part.removedThrough === 0 ? '' : `, entries 1…${part.removedThrough} removed by retention`;
        console.log(`  ${chainLabel(part.chain)}: ${part.checked} entries, ${part.signedHeads} signed heads${retained}`);
      }
    });

  journal
    .command('heads')
    .description(
      `List the signed heads published to ${JOURNAL_HEADS_TOPIC} beside those in the store, head by ` +
        'head: same, differs, removed by retention, missing from the store, or not published (yet). ' +
        'Exits 1 when the store lost or changed a published head. Uses KAFKA_BROKERS, MONGODB_URI and DANCU_DB.',
    )
    .option('--json', 'one JSON object per line instead of a table')
    .action(async (options: { json?: boolean }) => {
      const rows = await withJournalDb(async (db) => {
        const witnessed = await withWitness((witness) => witness.heads(db.databaseName));
        const collections = journalCollections(db);
        const chains = new Set([...(await knownChains(collections)), ...witnessed.map((head) => head.chain)]);
        const rows = [];
        for (const chain of [...chains].sort()) {
          const stored = await collections.heads.find(chainHeads(chain)).sort(headOrder(chain, 1)).toArray();
          const removedHeads = (await latestRetentionRecord(collections, chain))?.headsThrough ?? 0;
          const published = witnessed.filter((head) => head.chain === chain);
          rows.push(...compareHeads(published, stored, removedHeads));
        }
        return rows;
      });
      if (options.json) {
        for (const { head, standing } of rows) console.log(JSON.stringify({ ...head, standing }));
      } else if (rows.length === 0) {
        console.log(`no signed heads, neither in ${JOURNAL_HEADS_TOPIC} nor in the store`);
      } else {
        const table = rows.map(({ head, standing }) => [
          head.chain,
          String(headNumber(head)),
          String(head.entry),
          head.hash.slice(0, 16),
          head.signedAt.toISOString(),
          standing,
        ]);
        printTable([['chain', 'head', 'entry', 'entry hash', 'signed at', 'store vs topic'], ...table]);
      }
      const disagreements = rows.filter((row) => isDisagreement(row.standing)).length;
      if (disagreements > 0) {
        console.log(`${disagreements} published head(s) differ or are missing from the store: run \`dancu journal verify\``);
        process.exitCode = 1;
      }
    });

  journal
    .command('remove-expired')
    .description(
      'The retention job (R35): verify the journal, then remove the entries whose retention (at least ' +
        '2 years) has passed and their signed heads, under a retention record signed with the hub key ' +
        'and written first; the removal is journaled. The newest entry is always kept. Refuses a ' +
        'journal that does not verify. Uses KAFKA_BROKERS, MONGODB_URI, DANCU_DB and DANCU_PKI_DIR.',
    )
    .option(
      '--officer <id>',
      `the agency head running it: ${OFFICER_OPTION_HELP}. Without it (cron), the holder of the hub's signing key runs it, journaled as hub-signing-key:<user>`,
    )
    .action(async (options: OfficerFlags) => {
      const signingKey = readJournalSigningKey(pkiDir());
      if (!signingKey) {
        throw new Error(`no journal signing key in ${pkiDir()}: run \`dancu pki init\` or set DANCU_PKI_DIR`);
      }
      const officer =
        options.officer !== undefined || process.env.DANCU_OPERATOR_CERT
          ? await withRegistry((registry) => authenticatedOfficer(registry, options, 'remove-expired'))
          : `hub-signing-key:${process.env.USER ?? 'operator'}`;
      const outcome = await withJournalDb((db) =>
        withWitness(async (witness) => {
          const writer = await Journal.open(db, { signingKey, witness });
          try {
            return await removeExpiredEntries(db, { signingKey, journal: writer, witness, officer });
          } finally {
            await writer.close();
          }
        }),
      );
      const { records, deleted } = outcome;
      if (records.length === 0) {
        console.log('nothing removed: no entry has expired yet (the newest of each chain is always kept)');
        return;
      }
      for (const record of records) {
        console.log(
          `${chainLabel(record.chain)}: entries 1…${record.through} and signed heads 1…${record.headsThrough} are ` +
            `covered by the retention record of ${record.signedAt.toISOString()}`,
        );
      }
      console.log(`this run deleted ${deleted.entries} entries and ${deleted.heads} heads`);
    });

  journal
    .command('query')
    .description(`Show journal entries newest first, filtered; at most ${MAX_QUERY_LIMIT}.`)
    .option('--entry <chain:sequence>', 'the one entry an answer named (its journal_chain and journal_sequence, e.g. hub-a:1234)')
    .option('--citizen <id>', 'entries about this citizen (personal id)')
    .option('--system <id>', 'entries by this connected system')
    .option('--agreement <id>', 'entries under this connection agreement')
    .option('--since <iso>', 'from this time on, e.g. 2025-06-01 or 2025-06-01T08:00:00Z')
    .option('--until <iso>', 'before this time')
    .option('--limit <n>', `how many entries (default ${DEFAULT_QUERY_LIMIT}, at most ${MAX_QUERY_LIMIT})`)
    .option('--json', 'one JSON object per line instead of a table')
    .action(
      async (options: {
        entry?: string;
        citizen?: string;
        system?: string;
        agreement?: string;
        since?: string;
        until?: string;
        limit?: string;
        json?: boolean;
      }) => {
        const query: JournalQuery = {
          ...(options.entry !== undefined ? { entry: parseEntry(options.entry) } : {}),
          ...(options.citizen !== undefined ? { citizen: options.citizen } : {}),
          ...(options.system !== undefined ? { system: options.system } : {}),
          ...(options.agreement !== undefined ? { agreement: options.agreement } : {}),
          ...(options.since !== undefined ? { since: parseTime(options.since, '--since') } : {}),
          ...(options.until !== undefined ? { until: parseTime(options.until, '--until') } : {}),
          ...(options.limit !== undefined ? { limit: parsePositiveInt(options.limit, '--limit') } : {}),
        };
        const entries = await withJournalDb((db) => queryJournal(db, query));
        if (options.json) {
          for (const entry of entries) console.log(JSON.stringify(entry));
          return;
        }
        if (entries.length === 0) {
          console.log('no journal entries match');
          return;
        }
        printTable([['entry', 'time', 'act', 'action', 'system', 'citizens', 'fields', 'decision', 'trace'], ...entries.map(row)]);
      },
    );
}

function row(entry: JournalEntry): string[] {
  const citizens = entry.citizens.length === 1 ? entry.citizens[0]! : `${entry.citizens.length} citizens`;
  return [
    entryReference(placeOf(entry)),
    entry.at.toISOString(),
    entry.act,
    entry.action,
    entry.actor.system ?? entry.actor.citizen ?? entry.actor.officer ?? '',
    citizens,
    entry.fields.join(','),
    entry.reason ? `${entry.decision}: ${entry.reason}` : entry.decision,
    entry.traceId ?? '',
  ];
}

/**
 * The verdict against the witness when asked for and Kafka answers; else the store's alone, with
 * the reason the witness was not checked.
 */
async function verifyAgainstWitness(
  db: Db,
  publicKey: KeyObject | undefined,
  useWitness: boolean,
): Promise<{ verdict: JournalVerdict; witnessNote: string }> {
  const keyed = publicKey ? { publicKey } : {};
  if (!useWitness) return { verdict: await verifyJournal(db, keyed), witnessNote: 'left out (--no-witness)' };
  try {
    return await withWitness(async (witness) => ({
      verdict: await verifyJournal(db, { ...keyed, witness }),
      witnessNote: '',
    }));
  } catch (error) {
    if (!(error instanceof WitnessUnreachable)) throw error;
    return { verdict: await verifyJournal(db, keyed), witnessNote: `unreachable (${error.message})` };
  }
}

function removed(verdict: JournalVerdict): string {
  return verdict.removedThrough === 0 ? '' : `, ${verdict.removedThrough} entries removed by signed retention records`;
}

/** Kafka did not answer: the verdict is then the store's alone, and says so. */
class WitnessUnreachable extends DancuError<'witness-unreachable'> {
  readonly code = 'witness-unreachable';
  readonly retryable = true;
}

const BROKER_PROBE_MS = 2_000;

/** The Kafka witness for one command; WitnessUnreachable when its heads cannot be read. */
async function withWitness<T>(use: (witness: HeadWitness) => Promise<T>): Promise<T> {
  const brokers = resolveEndpoints().kafkaBrokers;
  // The Kafka client retries for a minute before it gives up; a broker that refuses the connection says so at once.
  const listening = await Promise.all(brokers.map((broker) => isListening(broker, BROKER_PROBE_MS)));
  if (!listening.includes(true)) throw new WitnessUnreachable(`no broker of ${brokers.join(',')} accepts connections`);
  const kafka = connectKafka({ brokers, clientId: 'dancu-journal' });
  const publisher = new RecordPublisher(kafka);
  const witness = kafkaHeadWitness(kafka, publisher);
  const reachable: HeadWitness = {
    where: witness.where,
    publish: (journal, heads) => witness.publish(journal, heads),
    heads: (journal) =>
      witness.heads(journal).catch((error: unknown) => {
        throw new WitnessUnreachable(error instanceof Error ? error.message : String(error), { cause: error });
      }),
  };
  try {
    return await use(reachable);
  } finally {
    await publisher.close();
  }
}

async function withJournalDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(resolveEndpoints().mongodbUri, {
    serverSelectionTimeoutMS: 10_000,
    appName: 'dancu-journal',
  });
  try {
    await client.connect();
    return await use(client.db(databaseName()));
  } finally {
    await client.close();
  }
}

function readPublicKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(readFileSync(path));
  } catch (error) {
    throw new Error(`cannot read the public key ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problem = ed25519Problem(key, 'public');
  if (problem) throw new Error(`the public key ${path} is unusable: ${problem}`);
  return key;
}

function parseEntry(text: string): { chain: string; sequence: number } {
  const parsed = parseEntryReference(text);
  if ('problem' in parsed) throw new Error(`--entry: ${parsed.problem}`);
  return parsed;
}

function parseTime(text: string, what: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw new Error(`${what} must be an ISO date or time like 2025-06-01T08:00:00Z, not ${JSON.stringify(text)}`);
  return time;
}
