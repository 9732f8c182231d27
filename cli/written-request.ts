// `dancu registry written-request …`: the written-request procedure for the agency's officers
// (R19, R11, R17): register a letter received on the template, record the services chosen and the
// agreed delivery time, deliver the Form 01 notice as a PDF file, or refuse with a written letter.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { Journal } from '../hub/journal/journal.ts';
import type { OfficerAct } from '../hub/registry/officer-competence.ts';
import { Registry } from '../hub/registry/registry.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { WRITTEN_REQUEST_STATUSES, type WrittenRequestStatus } from '../hub/written-requests/written-request.ts';
import { WrittenRequests } from '../hub/written-requests/written-requests.ts';
import { authenticatedOfficer, OFFICER_OPTION_HELP, type OfficerFlags } from './officer.ts';
import { databaseName } from './settings.ts';
import { printTable } from './table.ts';

/**
 * Opens the store and the real journal on DANCU_DB, runs one step as the officer the CLI's operator
 * certificate proves (cli/officer.ts), closes both.
 */
async function withWrittenRequests<T>(
  flags: OfficerFlags,
  act: OfficerAct,
  use: (written: WrittenRequests, officerId: string) => Promise<T>,
): Promise<T> {
  const store = await PopulationStore.open({ uri: resolveEndpoints().mongodbUri, database: databaseName() });
  const journal = await Journal.open(store.db);
  try {
    const officer = await authenticatedOfficer(await Registry.open(store.db, journal), flags, act);
    return await use(new WrittenRequests(store.db, store, journal), officer);
  } finally {
    await journal.close();
    await store.close();
  }
}

const vietnamTime = (date: Date) => `${localDay(date)} ${new Date(date.getTime() + 7 * 3_600_000).toISOString().slice(11, 16)}`;

export function registerWrittenRequestCommand(registry: Command): void {
  const written = registry
    .command('written-request')
    .description(
      'Written requests for citizen information (R19): register, choose services, deliver the Form 01 notice, refuse in writing; list with OVERDUE flags.',
    );

  written
    .command('register')
    .description('Record a request received on the template (see deploy/examples/written-request.json); prints its R11 decision deadline.')
    .argument('<id>', 'the dossier number (1–64 letters, digits, . _ / -); registering it again is a no-op')
    .requiredOption('--file <json>', 'the request as received')
    .option('--officer <id>', `the officer who received it: ${OFFICER_OPTION_HELP}`)
    .action(async (id: string, o: { file: string; officer: string }) => {
      const input: unknown = JSON.parse(readFileSync(o.file, 'utf8'));
      const request = await withWrittenRequests(o, 'register-written-request', (w, officer) => w.register(id, input, officer));
      console.log(`written request ${request._id} received; decision due by ${vietnamTime(request.decisionDeadline)} (Vietnam time, R11)`);
    });

  written
    .command('choose')
    .description(
      'Record the services the requester chose (a subset of those wanted) and the delivery time agreed, as the competent officer (R17).',
    )
    .argument('<id>')
    .option('--officer <id>', `the competent officer: ${OFFICER_OPTION_HELP}`)
    .requiredOption('--services <fields>', 'comma-separated citizen fields, e.g. fullName,dateOfBirth,permanentAddress')
    .requiredOption('--deliver-by <time>', 'the agreed delivery time, ISO 8601 (e.g. 2026-03-12T17:00:00+07:00)')
    .action(async (id: string, o: OfficerFlags & { services: string; deliverBy: string }) => {
      const deliverBy = new Date(o.deliverBy);
      if (Number.isNaN(deliverBy.getTime())) throw new Error(`--deliver-by must be an ISO 8601 time, not ${JSON.stringify(o.deliverBy)}`);
      const services = o.services
        .split(',')
        .map((field) => field.trim())
        .filter((field) => field !== '');
      const request = await withWrittenRequests(o, 'decide-written-request', (w, officer) =>
        w.chooseServices(id, officer, services, deliverBy),
      );
      console.log(
        `written request ${request._id} is ${request.status}: ${request.chosenServices?.join(', ')} by ${vietnamTime(request.deliverBy!)}`,
      );
    });

  written
    .command('deliver')
    .description('Deliver the chosen services as a Form 01 notice (PDF), journaled before the file is written.')
    .argument('<id>')
    .option('--officer <id>', `the competent officer: ${OFFICER_OPTION_HELP}`)
    .requiredOption('--out <pdf>', 'where to write the notice')
    .action(async (id: string, o: OfficerFlags & { out: string }) => {
      const { request, pdf } = await withWrittenRequests(o, 'decide-written-request', (w, officer) => w.deliver(id, officer));
      writeFileSync(o.out, pdf, { mode: 0o600 });
      console.log(`written request ${request._id} delivered: Form 01 notice written to ${o.out} (sha256 ${request.noticeSha256})`);
    });

  written
    .command('refuse')
    .description('Refuse a request with a written reason (R11, R19); writes the refusal letter (PDF).')
    .argument('<id>')
    .option('--officer <id>', `the competent officer: ${OFFICER_OPTION_HELP}`)
    .requiredOption('--reason <text>', 'the reason, sent to the requester')
    .requiredOption('--out <pdf>', 'where to write the letter')
    .action(async (id: string, o: OfficerFlags & { reason: string; out: string }) => {
      const { request, pdf } = await withWrittenRequests(o, 'decide-written-request', (w, officer) => w.refuse(id, officer, o.reason));
      writeFileSync(o.out, pdf, { mode: 0o600 });
      console.log(`written request ${request._id} refused: letter written to ${o.out}`);
    });

  written
    .command('list')
    .description(
      'Written requests, newest first; OVERDUE marks those undecided past their R11 deadline or not delivered by the agreed time.',
    )
    .option('--status <status>', WRITTEN_REQUEST_STATUSES.join(' | '))
    .option('--overdue', 'only the overdue ones')
    .option('--json', 'print JSON')
    .option('--officer <id>', `the officer listing: ${OFFICER_OPTION_HELP}`)
    .action(async (o: OfficerFlags & { status?: string; overdue?: boolean; json?: boolean }) => {
      if (o.status !== undefined && !(WRITTEN_REQUEST_STATUSES as readonly string[]).includes(o.status))
        throw new Error(`--status must be one of ${WRITTEN_REQUEST_STATUSES.join(', ')}`);
      const requests = await withWrittenRequests(o, 'list-written-requests', (w) =>
        w.list({ ...(o.status ? { status: o.status as WrittenRequestStatus } : {}), ...(o.overdue ? { overdue: true } : {}) }),
      );
      if (o.json) return console.log(JSON.stringify(requests, null, 2));
      printTable([
        ['id', 'status', 'requester', 'category', 'citizens', 'received', 'due', ''],
        ...requests.map((r) => [
          r._id,
          r.status,
          r.template.requester.name,
          r.template.requester.category,
          String(r.template.citizens.length),
          vietnamTime(r.receivedAt),
          vietnamTime(r.status === 'guided' && r.deliverBy ? r.deliverBy : r.decisionDeadline),
          r.overdue ? 'OVERDUE' : '',
        ]),
      ]);
    });
}
