// Slices of several partitions applied in one store round (hub/ingest/slice-group.ts and
// storeSlices then publishStored), on the real FerretDB. Kafka's part (partitions handed over at once, offsets) is
// covered by the ingest tests through the hub; here the publisher only records what it is given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { checkSlice, type IngestContext, publishStored, storeSlices } from '../hub/ingest/ingest-batch.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import type { RecordPublisher } from '../kafka/record-publisher.ts';
import type { OutgoingRecord, RawRecord } from '../kafka/records.ts';
import { CHANGES_TOPIC, sourceTopic } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { testEndpoints } from './endpoints.ts';
import { expectedCitizens, storedCitizen, uniqueName } from './harness.ts';

function rawRecords(events: readonly SourceEvent[], partition: number): RawRecord[] {
  return events.map((event, index) => ({
    topic: sourceTopic(event.source),
    partition,
    offset: String(index),
    key: Buffer.from(event.personalId),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
    timestamp: String(Date.now()),
  }));
}

describe('slices of several partitions in one store round, on the real FerretDB', () => {
  let store: PopulationStore;
  const sent: Array<{ topic: string; records: OutgoingRecord[] }> = [];
  let context: IngestContext;
  beforeAll(async () => {
    store = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database: uniqueName('dancu_rounds') });
    const publisher = {
      publish: async (topic: string, records: OutgoingRecord[]) => void sent.push({ topic, records }),
    } as unknown as RecordPublisher;
    context = { store, publisher };
  });
  afterAll(async () => {
    await store?.db.dropDatabase();
    await store?.close();
  });

  it('R5: the slices of two sources about the same citizens are one write per citizen; each slice gets its own counts; an event id in both slices is applied once and its changes sent once', async () => {
    const events = simulateEvents({ seed: 4711, citizens: 6 });
    const bySource = new Map<string, SourceEvent[]>();
    for (const event of events) bySource.set(event.source, [...(bySource.get(event.source) ?? []), event]);
    const [first, second] = [...bySource.values()].filter((list) => list.length > 0);
    const shared = first![0]!; // also delivered in the second slice (a redelivery from another partition)
    const slices = [checkSlice(rawRecords(first!, 0), context), checkSlice(rawRecords([...second!, shared], 1), context)];

    const outcomes = await publishStored(await storeSlices(slices, context), context);

    expect(outcomes.map((outcome) => [outcome.received, outcome.applied, outcome.duplicates])).toEqual([
      [first!.length, first!.length, 0],
      [second!.length + 1, second!.length, 1],
    ]);
    const changes = sent.filter((send) => send.topic === CHANGES_TOPIC).flatMap((send) => send.records);
    expect(outcomes[0]!.changes + outcomes[1]!.changes).toBe(changes.length);
    const changesOfShared = changes.filter((record) => JSON.parse(String(record.value)).eventId === shared.eventId);
    expect(changesOfShared.length).toBeGreaterThan(0);
    expect(
      new Set(changes.map((record) => `${JSON.parse(String(record.value)).eventId}/${JSON.parse(String(record.value)).field}`)).size,
    ).toBe(changes.length);

    const applied = [...first!, ...second!];
    for (const [id, citizen] of expectedCitizens(applied)) {
      expect(await storedCitizen(store, id), id).toEqual(citizen);
      expect((await store.readCitizen(id))?.revision, `${id} written once for both slices`).toBe(1);
    }
  });

  it('R5, R26: a round stored whose publish never happened (the hub died in between), delivered again, sends the changes the first would have sent: same change ids, same values', async () => {
    const events = simulateEvents({ seed: 4712, citizens: 6 });
    const slice = () => checkSlice(rawRecords(events, 2), context);
    const stored = await storeSlices([slice()], context); // ...and the hub dies here
    const expected = [...stored.changesOf.values()].flat();
    expect(expected.length).toBeGreaterThan(0);

    sent.length = 0;
    const [outcome] = await publishStored(await storeSlices([slice()], context), context); // Kafka delivers it again
    expect(outcome).toMatchObject({ applied: 0, duplicates: events.length, changes: expected.length });
    const changes = sent
      .filter((send) => send.topic === CHANGES_TOPIC)
      .flatMap((send) => send.records.map((record) => JSON.parse(String(record.value))));
    const byId = new Map(changes.map((change) => [change.changeId, change]));
    expect([...byId.keys()].sort()).toEqual(expected.map((change) => change.changeId).sort());
    for (const change of expected)
      expect(byId.get(change.changeId), change.changeId).toMatchObject({
        field: change.field,
        value: change.value,
        eventId: change.eventId,
      });
  });
});
