// R34: the synthetic citizens test runs read, in a database of their own (`<DANCU_DB>_sandbox`)
// that holds nothing but a simulated population, so a sandbox agreement cannot reach a real
// citizen whatever it asks. Opened and seeded on the first test-run call (seeding is idempotent:
// events are keyed, so hub instances seeding at once converge), closed with the hub.
import { simulateEvents } from '../../connectors/simulator/simulate-events.ts';
import type { CitizenDocument } from '../citizen/citizen-document.ts';
import { applyEvents } from '../ingest/apply-events.ts';
import { PopulationStore } from '../store/population-store.ts';
import type { CitizenReader } from './citizen-cache.ts';

/** The simulation the sandbox holds: another seed than any real import, so no personal id is shared by chance. */
export const SANDBOX_SIMULATION = Object.freeze({ seed: 34_034, citizens: 200 });

export function sandboxDatabase(database: string): string {
  return `${database}_sandbox`;
}

export class SandboxCitizens implements CitizenReader {
  private store: Promise<PopulationStore> | null = null;

  constructor(private readonly options: { mongodbUri: string; database: string }) {}

  async readCitizen(id: string): Promise<CitizenDocument | null> {
    return (await this.open()).readCitizen(id);
  }

  async readCitizens(ids: readonly string[]): Promise<Map<string, CitizenDocument>> {
    return (await this.open()).readCitizens(ids);
  }

  async close(): Promise<void> {
    const store = this.store;
    this.store = null;
    await (await store?.catch(() => null))?.close();
  }

  private open(): Promise<PopulationStore> {
    this.store ??= (async () => {
      const store = await PopulationStore.open({ uri: this.options.mongodbUri, database: sandboxDatabase(this.options.database) });
      if ((await store.db.collection('citizens').estimatedDocumentCount()) < SANDBOX_SIMULATION.citizens)
        await applyEvents(simulateEvents(SANDBOX_SIMULATION), store);
      return store;
    })().catch((error: unknown) => {
      this.store = null;
      throw error;
    });
    return this.store;
  }
}
