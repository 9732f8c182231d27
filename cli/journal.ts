import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MongoClient, type Db } from 'mongodb';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import type { JournalEntry } from '../hub/journal/journal-entry.ts';
import { ed25519Problem } from '../hub/journal/signed-head.ts';
import { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT, queryJournal, type JournalQuery } from '../hub/journal/query-journal.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { dancuHome, databaseName, parsePositiveInt } from './settings.ts';
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
      'Walk the whole journal and check its hash chain and signed heads: prints "journal ok" with ' +
        'the counts, or names the first entry that was edited, deleted, reordered or unlinked, and ' +
        'exits 1. Without a public key, signed heads are compared but their signatures are not checked.',
    )
    .option('--public-key <pem>', `the hub's Ed25519 public key (default: ${defaultPublicKeyPath()} when it exists)`)
    .action(async (options: { publicKey?: string }) => {
      const keyPath = options.publicKey ?? (existsSync(defaultPublicKeyPath()) ? defaultPublicKeyPath() : undefined);
      const publicKey = keyPath === undefined ? undefined : readPublicKey(keyPath);
      const verdict = await withJournalDb((db) => verifyJournal(db, publicKey ? { publicKey } : {}));
      if (verdict.firstBad) {
        const { sequence, problem, detail } = verdict.firstBad;
        console.log(`journal tampered: entry ${sequence} ${problem} — ${detail} (${verdict.checked} entries verified before it)`);
        process.exitCode = 1;
        return;
      }
      const signatures = keyPath ? `signatures checked with ${keyPath}` : `signatures not checked: no public key at ${defaultPublicKeyPath()}`;
      console.log(`journal ok: ${verdict.checked} entries, ${verdict.signedHeads} signed heads (${signatures})`);
    });

  journal
    .command('query')
    .description(`Show journal entries newest first, filtered; at most ${MAX_QUERY_LIMIT}.`)
    .option('--citizen <id>', 'entries about this citizen (personal id)')
    .option('--system <id>', 'entries by this connected system')
    .option('--agreement <id>', 'entries under this connection agreement')
    .option('--since <iso>', 'from this time on, e.g. 2025-06-01 or 2025-06-01T08:00:00Z')
    .option('--until <iso>', 'before this time')
    .option('--limit <n>', `how many entries (default ${DEFAULT_QUERY_LIMIT}, at most ${MAX_QUERY_LIMIT})`)
    .option('--json', 'one JSON object per line instead of a table')
    .action(async (options: { citizen?: string; system?: string; agreement?: string; since?: string; until?: string; limit?: string; json?: boolean }) => {
      const query: JournalQuery = {
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
      printTable([['time', 'act', 'action', 'system', 'citizens', 'fields', 'decision', 'trace'], ...entries.map(row)]);
    });
}

function row(entry: JournalEntry): string[] {
  const citizens = entry.citizens.length === 1 ? entry.citizens[0]! : `${entry.citizens.length} citizens`;
  return [
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

async function withJournalDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(resolveEndpoints().mongodbUri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu-journal' });
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

function parseTime(text: string, what: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new Error(`${what} must be an ISO date or time like 2025-06-01T08:00:00Z, not ${JSON.stringify(text)}`);
  return time;
}
