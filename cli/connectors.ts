// `dancu connectors retire`: an officer takes a connector out of the operators' live view (the
// dashboard's feeds, /connectors, the metrics and so the alerts, Operations.ListConnectors) and
// into its history. See hub/operations/connector-retirement.ts.
import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { Journal } from '../hub/journal/journal.ts';
import { retireConnector } from '../hub/operations/connector-retirement.ts';
import { Registry } from '../hub/registry/registry.ts';
import { authenticatedOfficer, type OfficerFlags, officerOption } from './officer.ts';
import { databaseName } from './settings.ts';

export function registerConnectorsCommand(program: Command): void {
  const connectors = program
    .command('connectors')
    .description("Operators' acts on the connectors the hub watches (their health: GET /connectors, the dashboard).");
  officerOption(
    connectors
      .command('retire')
      .description(
        'Retire a connector from the live view, into the history (a finished import, a test run, a decommissioned feed): ' +
          'only an officer acting with their operator certificate (--officer) may, with a reason; the act is journaled (act ' +
          'connector-retirement) before it takes effect, and refused and journaled for anyone else. Every hub drops the ' +
          'connector within 5 s; a heartbeat it sends later brings it back. Connectors silent for ' +
          'DANCU_CONNECTOR_RETIRE_AFTER_MS (1 h) are retired without this. Uses MONGODB_URI and DANCU_DB.',
      )
      .argument('<connector>', 'the connector id, as /connectors lists it, e.g. civil-status.simulated.seed-1')
      .requiredOption('--reason <text>', 'why (journaled)'),
  ).action(async (connector: string, options: { reason: string } & OfficerFlags) => {
    const client = await MongoClient.connect(resolveEndpoints().mongodbUri, {
      serverSelectionTimeoutMS: 10_000,
      appName: 'dancu-connectors',
    });
    const db = client.db(databaseName());
    const journal = await Journal.open(db);
    try {
      const registry = await Registry.open(db, journal);
      const retired = await retireConnector(
        { db, journal, authenticate: () => authenticatedOfficer(registry, options, 'retire-connector') },
        { connector, operator: options.officer ?? process.env.USER ?? 'operator', reason: options.reason },
      );
      console.log(
        `connector ${retired._id} retired by ${retired.by} at ${retired.retiredAt.toISOString()}; hubs move it to the history within 5 s (a new heartbeat brings it back)`,
      );
    } finally {
      await journal.close();
      await client.close();
    }
  });
}
