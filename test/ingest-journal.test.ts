// R35: the sources' sharing into the population DB is journaled too, one entry per applied slice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { publishEvents, startTestHub, type TestHub, waitFor } from './harness.ts';

describe('the ingest journal', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('R35, R5: every applied slice leaves a journal entry naming its source, its place in the topic, its citizens and its counts, and its offsets are committed', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 20 });
    await publishEvents(events);
    const citizen = events[0]!.personalId;
    const entries = await waitFor('an ingest entry for the first citizen', async () => {
      const found = await queryJournal(hub.store.db, { citizen, limit: 10 });
      return found.length > 0 ? found : undefined;
    });
    expect(entries[0]).toMatchObject({ act: 'ingest', action: 'apply-batch', decision: 'done', actor: { system: 'dancu-hub' } });
    expect(entries[0]!.detail).toMatch(/^dancu\.source\.[a-z-]+\.v1\[\d+\]@\d+\.\.\d+: received \d+, applied \d+/);
    // A slice's journal entry is written after its store write, so wait on the journal itself:
    // the history being complete says nothing about the last slices' entries.
    const appliedInJournal = async () => {
      const all = await queryJournal(hub.store.db, { limit: 1000 });
      return all.reduce((sum, entry) => sum + Number(/applied (\d+)/.exec(entry.detail ?? '')?.[1] ?? 0), 0);
    };
    await waitFor('every applied event counted in the journal', async () => (await appliedInJournal()) >= events.length, 120_000);
    expect(await appliedInJournal()).toBe(events.length);
    expect(await hub.store.history.countDocuments()).toBe(events.length);
    expect((await verifyJournal(hub.store.db)).ok).toBe(true);
    // R5: offsets are committed after the store write, so nothing is left to replay once all is applied.
    await waitFor(
      'the hub group to have committed every offset',
      async () => ((await hub.hub.lag()).every((partition) => partition.lag === 0) ? true : undefined),
      30_000,
    );
  });
});
