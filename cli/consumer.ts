import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { ekycChecks } from '../connectors/consumers/ekyc/check-customer.ts';
import { HubClient } from '../connectors/consumers/hub-client.ts';
import { type BatchChecks, type BatchResult, runJsonlBatch } from '../connectors/consumers/jsonl-batch.ts';
import { portalChecks } from '../connectors/consumers/portal/check-dossier.ts';
import { Refused } from '../connectors/consumers/refused.ts';
import { runSyncConsumer } from '../connectors/consumers/sync/sync-consumer.ts';
import { resolveEndpoints } from '../deploy/local/endpoints.ts';
import { DEFAULT_GRPC_ADDRESS } from './hub-process.ts';
import { onShutdown } from './shutdown.ts';

interface HubFlags {
  hub: string;
  ca: string;
  cert: string;
  key: string;
  agreement: string;
  purpose: string;
  officer: string;
}

/** The options every consumer needs to reach the hub and to say why it calls. */
function withHubOptions(command: Command): Command {
  return command
    .option(
      '--hub <host:port[,host:port…]>',
      "the hub's gRPC API; several hub instances, comma-separated, to fail over between when one is unreachable (DANCU_HUB_ADDRESS sets the default)",
      process.env.DANCU_HUB_ADDRESS ?? DEFAULT_GRPC_ADDRESS,
    )
    .requiredOption('--ca <pem>', "the hub's CA certificate (ca.crt.pem from the hub operator)")
    .requiredOption('--cert <pem>', "this system's client certificate (`dancu pki issue <system>`)")
    .requiredOption('--key <pem>', "this system's private key")
    .requiredOption('--agreement <id>', 'the connection agreement the calls run under')
    .requiredOption('--purpose <code>', 'a purpose code the agreement names, e.g. ADMINISTRATIVE_PROCEDURE (`dancu registry catalogue`)')
    .requiredOption('--officer <id>', 'the officer or operator on whose behalf the system calls (journaled, shown to citizens)');
}

function connect(flags: HubFlags): Promise<HubClient> {
  return HubClient.connect(
    { address: flags.hub, caPath: flags.ca, certPath: flags.cert, keyPath: flags.key },
    { agreementId: flags.agreement, purpose: flags.purpose, officerId: flags.officer },
  );
}

function fieldList(text: string): string[] {
  return text
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
}

export function registerConsumerCommand(program: Command): void {
  const consumer = program
    .command('consumer')
    .description(
      "Consumer connectors: the programs a consuming organisation runs against the hub's Exchange API, " +
        'over mutual TLS with its system certificate, within its connection agreement. Every call is journaled ' +
        'with the agreement, purpose, officer and case reference.',
    );

  withHubOptions(consumer.command('sync'))
    .summary("R41: keep a sector's replica current from WatchChanges, resuming without gaps")
    .description(
      "R41: keep the sector's replica of the fields the agreement discloses current by following WatchChanges. " +
        'Writes replica_citizens (one document per citizen) and replica_state (the stream cursor) in --replica-db ' +
        'on MONGODB_URI. The cursor is stored after each change is applied and repeats are dropped, so a restart ' +
        'resumes without gaps. Waits out an unreachable hub; stops with the reason when the hub refuses (e.g. the ' +
        'agreement is suspended). The first run follows changes from that moment on. Runs until Ctrl-C.',
    )
    .requiredOption('--replica-db <name>', "the sector's own database for the replica")
    .option('--watch <personal-ids>', 'comma-separated citizens to follow (required for agreements that need consent)')
    .action(async (flags: HubFlags & { replicaDb: string; watch?: string }) => {
      const signal = onShutdown();
      const client = await connect(flags);
      const mongo = new MongoClient(resolveEndpoints().mongodbUri);
      try {
        await mongo.connect();
        let seen = 0;
        const summary = await runSyncConsumer({
          client,
          db: mongo.db(flags.replicaDb),
          personalIds: flags.watch ? fieldList(flags.watch) : [],
          signal,
          log: (line) => console.error(`sync: ${line}`),
          // Operators see this sync beside the sources (dancu.operations.v1, the dashboard).
          heartbeat: { connector: `${systemIdOf(flags.cert)}.sync` },
          onChange: () => {
            seen += 1;
            if (seen % 1000 === 0) console.error(`sync: ${seen} changes received`);
          },
        });
        console.log(
          `sync stopped: ${summary.applied} changes applied, ${summary.alreadyApplied} repeats dropped, ${summary.reconnects} reconnects`,
        );
      } catch (error) {
        if (error instanceof Refused)
          throw new Error(`sync stopped: the hub refused the change stream (${error.message}); ${error.advice}`, { cause: error });
        throw error;
      } finally {
        client.close();
        await mongo.close();
      }
    });

  withHubOptions(consumer.command('portal'))
    .summary('check administrative-procedure dossiers: Lookup + Verify, one result line each')
    .description(
      'An administrative-procedure portal: for each dossier in --dossiers (JSONL: {"dossierId", "personalId", ' +
        '"fullName", "dateOfBirth", "declared": {<field>: <value>, …}}), Lookup the --fields the procedure needs ' +
        '(the lookup proves id, name and date of birth together) and Verify every declared field, with the dossier ' +
        'id as the case reference. Writes one line per dossier to --out: outcome matches | mismatch (with fields and ' +
        'matches per field) | not-found | refused (with the reason) | invalid. Exits 1 if any line is refused or invalid.',
    )
    .requiredOption('--dossiers <jsonl>', 'the dossiers, one JSON object per line')
    .requiredOption('--out <jsonl>', 'where to write the results (replaced)')
    .option('--fields <list>', 'comma-separated fields to look up, each granted in disclose mode', 'permanentAddress')
    .action((flags: HubFlags & { dossiers: string; out: string; fields: string }) =>
      runBatch('portal', 'dossiers', flags, flags.dossiers, portalChecks),
    );

  withHubOptions(consumer.command('ekyc'))
    .summary("a bank's eKYC of customers, with the citizen's consent (R12)")
    .description(
      'eKYC for a licensed non-state organisation (a bank): for each customer in --customers (JSONL: {"customerId", ' +
        '"personalId", "fullName", "dateOfBirth"}), Verify name and date of birth and, if both match, Lookup --fields. ' +
        'Writes one line per customer to --out: verified | mismatch | awaiting-consent (the citizen has not confirmed ' +
        'consent for this agreement yet, R12; run again later) | refused | invalid. Exits 1 if any line is refused or invalid.',
    )
    .requiredOption('--customers <jsonl>', 'the customers being onboarded, one JSON object per line')
    .requiredOption('--out <jsonl>', 'where to write the results (replaced)')
    .option('--fields <list>', 'comma-separated fields to read once verified, each granted in disclose mode (default: none)', '')
    .action((flags: HubFlags & { customers: string; out: string; fields: string }) =>
      runBatch('ekyc', 'customers', flags, flags.customers, ekycChecks),
    );
}

/** Runs a batch consumer from its input file to --out and prints what came of it. */
async function runBatch<Item, Result extends BatchResult>(
  consumer: string,
  items: string,
  flags: HubFlags & { out: string; fields: string },
  input: string,
  checks: (client: HubClient, lookupFields: readonly string[]) => BatchChecks<Item, Result>,
): Promise<void> {
  const client = await connect(flags);
  try {
    const summary = await runJsonlBatch({ input, output: flags.out, signal: onShutdown(), ...checks(client, fieldList(flags.fields)) });
    const total = Object.values(summary).reduce((sum, count) => sum + count, 0);
    const counts = Object.entries(summary)
      .map(([outcome, count]) => `${outcome} ${count}`)
      .join(', ');
    console.log(`${consumer}: ${total} ${items}${counts ? ` — ${counts}` : ''}; results in ${flags.out}`);
    if ((summary.refused ?? 0) > 0 || (summary.invalid ?? 0) > 0) process.exitCode = 1;
  } finally {
    client.close();
  }
}

/** The system id a client certificate names (its CN): heartbeats must carry it. */
function systemIdOf(certPath: string): string {
  const subject = new X509Certificate(readFileSync(certPath)).subject;
  const cn = /^CN=(.+)$/m.exec(subject)?.[1];
  if (!cn) throw new Error(`the certificate ${certPath} names no system (no CN): issue one with \`dancu pki issue <system>\``);
  return cn;
}
