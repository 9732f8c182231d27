import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { SOURCES } from '../schemas/sources.ts';
import {
  allStoredAsExpected,
  type ComparableCitizen,
  expectedCitizens,
  publishEvents,
  startTestHub,
  storedCitizens,
  type TestHub,
  tapTopic,
  waitFor,
} from './harness.ts';

function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000_000) + 1;
}

function citizensOf(events: readonly SourceEvent[]): string[] {
  return [...new Set(events.map((event) => event.personalId))];
}

async function storedDocuments(hub: TestHub, ids: string[]): Promise<Map<string, CitizenDocument>> {
  return hub.store.readCitizens(ids);
}

/**
 * Waits until every citizen the events name is what the merge rules give for them (fields and
 * history): the history is written before the citizen documents, so waiting on it alone races.
 */
async function waitUntilApplied(hub: TestHub, events: readonly SourceEvent[]): Promise<Map<string, ComparableCitizen>> {
  const expected = expectedCitizens(events);
  await waitFor(`${expected.size} citizens complete in ${hub.database}`, () => allStoredAsExpected(hub.store, expected), 120_000);
  return expected;
}

describe('ingest on the real Kafka and FerretDB', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('R26, R27: updates from all four sources land in one citizen document, each field with its provenance', async () => {
    const events = simulateEvents({ seed: randomSeed(), citizens: 20 });
    const changes = await tapTopic(CHANGES_TOPIC);
    const traces = await publishEvents(events);
    // R5: the stored record (fields and history) becomes exactly what the merge rules give for these events.
    const expected = await waitUntilApplied(hub, events);

    const stored = await storedDocuments(hub, citizensOf(events));
    const withAllSources = [...stored.values()].find((doc) => {
      const sources = new Set(Object.values(doc.fields).map((version) => version.source));
      return SOURCES.every((source) => sources.has(source));
    });
    expect(withAllSources, 'some citizen has fields from all four sources').toBeDefined();
    for (const version of Object.values(withAllSources!.fields)) {
      expect(version).toMatchObject({ source: expect.any(String), eventId: expect.any(String), effectiveAt: expect.any(String) });
    }
    expect(withAllSources!.fields.fullName?.source).toBe('civil-status');

    // The change feed carries every field that took a value, keyed by personal id.
    await waitFor('changes on dancu.changes.v1', async () => changes.records.length >= expected.size);
    const change = JSON.parse(changes.records[0]!.value!.toString());
    expect(changes.records[0]!.key!.toString()).toBe(change.personalId);
    expect(change).toMatchObject({ changeId: expect.stringContaining(':'), field: expect.any(String), source: expect.any(String) });
    // Each change carries on the trace of the source record that caused it.
    for (const record of changes.records) {
      const { eventId } = JSON.parse(record.value!.toString());
      expect(record.headers.traceparent).toBe(traces.get(eventId));
    }
    await changes.stop();
  });

  it('R5: duplicates and shuffled order converge to the same documents and the same history', async () => {
    const events = simulateEvents({ seed: randomSeed(), citizens: 15 });
    await publishEvents(events);
    await waitUntilApplied(hub, events);
    const ids = citizensOf(events);
    const inOrder = await storedCitizens(hub.store, ids);

    const second = await startTestHub();
    try {
      const shuffled = [...events, ...events.slice(0, Math.ceil(events.length / 3))];
      for (let i = shuffled.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      await publishEvents(shuffled);
      await waitUntilApplied(second, events);
      await waitFor('duplicates counted', async () => second.hub.stats.total().received >= shuffled.length);
      const reordered = await storedCitizens(second.store, ids);
      for (const id of ids) expect(reordered.get(id), id).toEqual(inOrder.get(id));
      expect(second.hub.stats.total().duplicates).toBeGreaterThanOrEqual(shuffled.length - events.length);
    } finally {
      await second.stop();
    }
  });
});
