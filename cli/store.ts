import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { migrateStore } from '../hub/store/migrate-store.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { databaseName } from './settings.ts';

export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('Maintenance of the population store.');
  store
    .command('migrate')
    .description(
      'Convert a population store written by dancu before the small-document model (citizen documents ' +
        "holding every version of every field) into today's: one small document per citizen with each " +
        "field's current version, and one insert-only history record per event; drops collections no longer " +
        'used (revision_claims, before 2026-12-02). Idempotent and ' +
        'resumable: run it again after an interruption; citizens already converted are skipped. Stop ' +
        'the hubs first. Uses MONGODB_URI and DANCU_DB.',
    )
    .action(async () => {
      const endpoints = resolveEndpoints();
      const population = await PopulationStore.open({ uri: endpoints.mongodbUri, database: databaseName() });
      const bar = new SingleBar(
        { format: 'migrating [{bar}] {value}/{total} citizens | {eta_formatted} left', stream: process.stderr },
        Presets.shades_classic,
      );
      let started = false;
      try {
        const summary = await migrateStore(population, ({ seen, total }) => {
          if (!started) bar.start(total, 0);
          started = true;
          bar.setTotal(total);
          bar.update(seen);
        });
        if (started) bar.stop();
        console.log(
          `${summary.citizens} citizens in ${databaseName()}: ${summary.converted} converted, ${summary.alreadyConverted} already in the new shape; ` +
            `${summary.historyRecords} history records written; ` +
            (summary.retired.length > 0 ? `dropped ${summary.retired.join(', ')} (no longer used); ` : '') +
            `${summary.seconds.toFixed(1)} s`,
        );
      } finally {
        if (started) bar.stop();
        await population.close();
      }
    });
}
