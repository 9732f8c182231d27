import type { Command } from 'commander';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { Journal } from '../hub/journal/journal.ts';
import { journalOperatorRead } from '../hub/operations/operator-read.ts';
import { Registry } from '../hub/registry/registry.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { EXIT_CODES } from './exit-code.ts';
import { authenticatedOfficer, OFFICER_OPTION_HELP, type OfficerFlags } from './officer.ts';
import { databaseName } from './settings.ts';
import { printTable } from './table.ts';

export function registerCitizenCommand(program: Command): void {
  const citizen = program.command('citizen').description('Operator views of the population store.');
  citizen
    .command('show')
    .description(
      "Show one citizen as the store holds it: each field's current value with its provenance " +
        '(source, event, effective time) and the full history of accepted changes (R5). The read is ' +
        'journaled (act operator-read: which officer, which citizen, which fields, why) before anything is shown (R35); ' +
        'only an officer reads, with their operator certificate; an attempt without one is refused and journaled.',
    )
    .argument('<personal-id>', 'the 12-digit personal identification number')
    .option('--json', 'print the record and its history as JSON')
    .option('--officer <id>', `who is reading: ${OFFICER_OPTION_HELP}`)
    .option('--reason <text>', 'why: the case or request this read serves (journaled)')
    .action(async (personalId: string, options: { json?: boolean; reason?: string } & OfficerFlags) => {
      if (!/^[0-9]{12}$/.test(personalId)) throw new Error(`${JSON.stringify(personalId)} is not a personal id: it has 12 digits`);
      const endpoints = resolveEndpoints();
      const store = await PopulationStore.open({ uri: endpoints.mongodbUri, database: databaseName() });
      const journal = await Journal.open(store.db);
      try {
        const record = await store.readCitizen(personalId);
        const reason = options.reason?.trim() ? `: ${options.reason.trim()}` : '';
        const registry = await Registry.open(store.db, journal);
        await journalOperatorRead(
          { journal, authenticate: () => authenticatedOfficer(registry, options, 'citizen-show') },
          {
            action: 'citizen-show',
            operator: options.officer ?? process.env.USER ?? 'operator',
            citizens: [personalId],
            fields: record ? Object.keys(record.fields) : [],
            detail: `${record ? 'record and history shown' : 'not on record'}${reason}`,
          },
        );
        if (!record) {
          console.error(`no citizen ${personalId} in the population store (${databaseName()})`);
          process.exitCode = EXIT_CODES.notFound;
          return;
        }
        const history = await store.readHistory(personalId);
        if (options.json) {
          console.log(JSON.stringify({ personalId, fields: record.fields, history }, null, 2));
          return;
        }
        console.log(`Citizen ${personalId} (revision ${record.revision})\n`);
        const rows = Object.entries(record.fields).map(([field, version]) => [
          field,
          display(version.value),
          `${version.source}${version.authoritative ? '' : ' (not authoritative)'}`,
          version.effectiveAt.slice(0, 10),
          version.eventId,
        ]);
        printTable([['field', 'value', 'source', 'effective', 'event'], ...rows]);
        console.log(`\nHistory (${history.length} events)`);
        for (const entry of history) {
          console.log(`${entry.effectiveAt.slice(0, 10)}  ${entry.source}/${entry.eventType}  (event ${entry._id})`);
          for (const change of entry.changes) {
            const note = change.outcome === 'overruled' ? '  [kept the authoritative value]' : '';
            console.log(`    ${change.field}: ${display(change.previous)} → ${display(change.value)}${note}`);
          }
        }
      } finally {
        await journal.close();
        await store.close();
      }
    });
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>)
      .filter((part) => part !== null && part !== undefined && part !== '')
      .map((part) => (typeof part === 'object' ? JSON.stringify(part) : String(part)))
      .join(', ');
  }
  return String(value);
}
