import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { WrittenCitizens } from '../hub/ingest/written-citizens.ts';
import { duplicatePositions } from '../hub/store/duplicate-key.ts';
import { PopulationStore, unsafeStore } from '../hub/store/population-store.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { testEndpoints } from './endpoints.ts';
import { expectedCitizens, storedCitizen, uniqueName } from './harness.ts';

describe('the population store on the real FerretDB', () => {
  let first: PopulationStore;
  let second: PopulationStore;
  beforeAll(async () => {
    const database = uniqueName('dancu_store');
    first = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });
    second = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });
  });
  afterAll(async () => {
    await first?.db.dropDatabase();
    await first?.close();
    await second?.close();
  });

  it("R5: two hub instances writing the same citizens at once lose none of each other's versions", async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 40 });
    // Every citizen's events are split between the two writers, which run at the same time.
    const mine = events.filter((_, index) => index % 2 === 0);
    const theirs = events.filter((_, index) => index % 2 === 1);
    const [a, b] = await Promise.all([applyEvents(mine, first), applyEvents(theirs, second)]);
    expect(a.applied + b.applied).toBe(events.length);

    const expected = expectedCitizens(events);
    for (const [id, citizen] of expected) expect(await storedCitizen(first, id), id).toEqual(citizen);
    expect(await first.history.countDocuments({ personalId: { $in: [...expected.keys()] } })).toBe(events.length);
  });

  it('R5, R26: a slice stored whose changes never reached the feed (the hub died in between) announces them again when Kafka redelivers it: those that still stand, with the same change ids and values', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 12 });
    // Each citizen's events in three slices, in order: A, then B, then C.
    const byCitizen = new Map<string, SourceEvent[]>();
    for (const event of events) byCitizen.set(event.personalId, [...(byCitizen.get(event.personalId) ?? []), event]);
    const part = (which: number) =>
      [...byCitizen.values()].flatMap((mine) =>
        mine.slice(Math.floor((mine.length * which) / 3), Math.floor((mine.length * (which + 1)) / 3)),
      );
    await applyEvents(part(0), first);
    const stored = await applyEvents(part(1), first); // written; its changes never sent
    await applyEvents(part(2), first); // later events, some overruling B's versions
    expect(stored.changes.length).toBeGreaterThan(0);

    // A restarted hub (no cache) is handed B again.
    const again = await applyEvents(part(1), second);
    expect(again).toMatchObject({ applied: 0, duplicates: part(1).length, conflicts: [] });
    const standing = [];
    for (const change of stored.changes) {
      const now = await second.readCitizen(change.personalId);
      if (now?.fields[change.field]?.eventId === change.eventId) standing.push(change);
    }
    expect(standing.length, 'some of B still stands after C').toBeGreaterThan(0);
    const announced = new Map(again.changes.map((change) => [change.changeId, change]));
    expect([...announced.keys()].sort()).toEqual(standing.map((change) => change.changeId).sort());
    for (const change of standing) {
      const { previous: _previous, ...rest } = change;
      expect(announced.get(change.changeId), change.changeId).toMatchObject(rest);
      // What it replaced, as the citizen's replayed history says (what `dancu citizen show` prints).
      const history = await second.readHistory(change.personalId);
      const replaced = history.find((entry) => entry._id === change.eventId)?.changes.find((entry) => entry.field === change.field);
      expect(announced.get(change.changeId)!.previous, change.changeId).toEqual(replaced?.previous ?? null);
    }
    // Delivered once more, nothing new is written, and the same changes are announced.
    const thrice = await applyEvents(part(1), second);
    expect(thrice.changes.map((change) => change.changeId).sort()).toEqual([...announced.keys()].sort());
  });

  it('R5, R26: a write that went through but was overwritten by another instance before its writer checked which replaces missed still announces its changes', async () => {
    const sources = ['civil-status', 'residence', 'health'] as const;
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 40, sources: [...sources] });
    // Two citizens with an event from each of the three sources.
    const [x, y] = [...new Set(events.map((event) => event.personalId))].filter((id) =>
      sources.every((source) => events.some((event) => event.personalId === id && event.source === source)),
    );
    expect(y, 'two citizens with an event from each source').toBeDefined();
    const of = (id: string | undefined, source: string) => events.find((event) => event.personalId === id && event.source === source)!;
    const cache = new WrittenCitizens();
    await applyEvents([of(x, 'civil-status'), of(y, 'civil-status')], first, cache);
    // Another instance writes x, so this writer's copy of x is stale: its replace of x will miss,
    // and it then asks who wrote each citizen of that command last.
    await applyEvents([of(x, 'health')], second);
    // Right after this writer's replaces (y's went through), the other instance writes y again.
    const bulkWrite = first.citizens.bulkWrite.bind(first.citizens);
    let raced = false;
    first.citizens.bulkWrite = (async (...args: Parameters<typeof bulkWrite>) => {
      const result = await bulkWrite(...args);
      if (!raced) {
        raced = true;
        await applyEvents([of(y, 'health')], second);
      }
      return result;
    }) as typeof bulkWrite;
    const mine = [of(x, 'residence'), of(y, 'residence')];
    const outcome = await applyEvents(mine, first, cache).finally(() => {
      first.citizens.bulkWrite = bulkWrite;
    });
    expect(raced).toBe(true);
    expect(outcome.applied).toBe(2);
    // Every field a residence event set that stands now was announced, y's included.
    const expected: string[] = [];
    for (const id of [x!, y!]) {
      const now = await first.readCitizen(id);
      for (const [field, version] of Object.entries(now!.fields))
        if (mine.some((event) => event.eventId === version.eventId)) expected.push(`${version.eventId}:${field}`);
    }
    expect(expected.some((change) => change.startsWith(of(y, 'residence').eventId))).toBe(true);
    expect(outcome.changes.map((change) => change.changeId).sort()).toEqual(expected.sort());
    // And nothing was lost from the documents.
    const applied = [of(x, 'civil-status'), of(y, 'civil-status'), of(x, 'health'), of(y, 'health'), ...mine];
    for (const [id, citizen] of expectedCitizens(applied)) expect(await storedCitizen(first, id), id).toEqual(citizen);
  });

  it('R5: a writer whose cached copy of a citizen went stale (another instance wrote since) still loses nothing', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 10 });
    const cache = new WrittenCitizens();
    const thirds = [0, 1, 2].map((part) => events.filter((_, index) => index % 3 === part));
    await applyEvents(thirds[0]!, first, cache); // first instance, remembering what it wrote
    await applyEvents(thirds[1]!, second); // another instance writes the same citizens
    await applyEvents(thirds[2]!, first, cache); // the first one again, from its now stale cache

    for (const [id, citizen] of expectedCitizens(events)) expect(await storedCitizen(first, id), id).toEqual(citizen);
  });

  it('R5: FerretDB reports every duplicate of an unordered insert by its position and inserts the rest (what appendHistory relies on)', async () => {
    const collection = first.db.collection<{ _id: string; v: number }>(uniqueName('dup_probe'));
    await collection.insertMany([2, 5, 6, 9].map((n) => ({ _id: `id-${n}`, v: 0 })));
    const error = await collection
      .insertMany(
        Array.from({ length: 12 }, (_, n) => ({ _id: `id-${n}`, v: 1 })),
        { ordered: false },
      )
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(duplicatePositions(error)).toEqual(new Set([2, 5, 6, 9]));
    const stored = await collection.find({}).sort({ _id: 1 }).toArray();
    expect(stored).toHaveLength(12);
    expect(
      stored
        .filter((doc) => doc.v === 0)
        .map((doc) => doc._id)
        .sort(),
    ).toEqual(['id-2', 'id-5', 'id-6', 'id-9']);
  });

  it('R5: a stale write (merged from an older revision) is refused by the revision filter', async () => {
    const [birth, later] = simulateEvents({
      seed: Math.floor(Math.random() * 1e9) + 1,
      citizens: 1,
      sources: ['civil-status', 'residence'],
    });
    await applyEvents([birth!], first);
    const stale = await first.readCitizen(birth!.personalId); // revision 1
    await applyEvents([{ ...later!, personalId: birth!.personalId } as SourceEvent], second); // revision 2
    const outcome = await first.writeCitizens([{ document: { ...stale!, fields: {} } }], 'a-stale-batch');
    expect(outcome.conflicts).toEqual([birth!.personalId]);
    expect((await first.readCitizen(birth!.personalId))?.fields).not.toEqual({});
  });

  it('the local FerretDB answers `{_id: {$in}}` with exactly those documents, and an update command of 200 replacements (its build fixes)', async () => {
    const collection = first.db.collection<{ _id: string; v: number }>(uniqueName('fix_probe'));
    await collection.insertMany(Array.from({ length: 300 }, (_, n) => ({ _id: `id-${n}`, v: 0 })));
    const wanted = [...Array.from({ length: 240 }, (_, n) => `id-${n * 2}`), 'id-absent', 'id-299'];
    const found = await collection.find({ _id: { $in: wanted } }).toArray();
    expect(found.map((doc) => doc._id).sort()).toEqual(wanted.filter((id) => id !== 'id-absent' && Number(id.slice(3)) < 300).sort());
    // A stock FerretDB 1.24.2 holds a connection per replaced document until the command ends and
    // never answers past about sixty.
    const result = await collection.bulkWrite(
      Array.from({ length: 200 }, (_, n) => ({ replaceOne: { filter: { _id: `id-${n}`, v: 0 }, replacement: { _id: `id-${n}`, v: 1 } } })),
      { ordered: false },
    );
    expect(result.matchedCount).toBe(200);
    expect(await collection.countDocuments({ v: 1 })).toBe(200);
  });

  it('the local FerretDB writes the replacements of an update command together, yet a statement still sees the ones before it on its `_id` (its build fix 5)', async () => {
    const collection = first.db.collection<{ _id: string; v: number }>(uniqueName('batch_probe'));
    await collection.insertMany(Array.from({ length: 100 }, (_, n) => ({ _id: `id-${n}`, v: 0 })));
    // Distinct `_id`s, one of which misses its filter: written together (fix 5), the miss left alone.
    const distinct = await collection.bulkWrite(
      [
        ...Array.from({ length: 50 }, (_, n) => ({
          replaceOne: { filter: { _id: `id-${n}`, v: 0 }, replacement: { _id: `id-${n}`, v: 1 } },
        })),
        { replaceOne: { filter: { _id: 'id-50', v: 7 }, replacement: { _id: 'id-50', v: 1 } } },
      ],
      { ordered: false },
    );
    expect([distinct.matchedCount, distinct.modifiedCount]).toEqual([50, 50]);
    expect(await collection.findOne({ _id: 'id-50' })).toEqual({ _id: 'id-50', v: 0 });
    // The same `_id` twice: the command runs statement by statement, so the second meets the first's write.
    const twice = await collection.bulkWrite(
      [
        { replaceOne: { filter: { _id: 'id-60', v: 0 }, replacement: { v: 1 } } },
        { replaceOne: { filter: { _id: 'id-60', v: 1 }, replacement: { v: 2 } } },
      ],
      { ordered: false },
    );
    expect(twice.matchedCount).toBe(2);
    expect(await collection.findOne({ _id: 'id-60' })).toEqual({ _id: 'id-60', v: 2 });
    // Update operators on distinct `_id`s, several commands and an insert at once.
    await Promise.all([
      ...[0, 1, 2, 3].map((group) =>
        collection.bulkWrite(
          Array.from({ length: 25 }, (_, n) => ({ updateOne: { filter: { _id: `id-${group * 25 + n}` }, update: { $inc: { v: 10 } } } })),
          { ordered: false },
        ),
      ),
      collection.insertMany(Array.from({ length: 100 }, (_, n) => ({ _id: `new-${n}`, v: 5 }))),
    ]);
    const values = new Map((await collection.find({}).toArray()).map((doc) => [doc._id, doc.v]));
    expect(values.size).toBe(200);
    for (let n = 0; n < 100; n += 1) {
      const before = n < 50 ? 1 : n === 60 ? 2 : 0;
      expect(values.get(`id-${n}`), `id-${n}`).toBe(before + 10);
      expect(values.get(`new-${n}`)).toBe(5);
    }
  });

  it('R5: the local FerretDB applies a filtered replace atomically: of writers replacing the same documents at once, exactly one wins each (its build fix 6)', async () => {
    const collection = first.db.collection<{ _id: string; v: number }>(uniqueName('cas_probe'));
    const writers = 6;
    for (let round = 0; round < 5; round += 1) {
      const ids = Array.from({ length: 100 }, (_, n) => `r${round}-${n}`);
      await collection.insertMany(ids.map((_id) => ({ _id, v: 0 })));
      // Every writer replaces every document still at v 0 (in commands of 25, as the store does).
      const matched = await Promise.all(
        Array.from({ length: writers }, (_, writer) =>
          Promise.all(
            [0, 25, 50, 75].map((start) =>
              collection.bulkWrite(
                ids.slice(start, start + 25).map((_id) => ({ replaceOne: { filter: { _id, v: 0 }, replacement: { v: writer + 1 } } })),
                { ordered: false },
              ),
            ),
          ).then((results) => results.reduce((sum, result) => sum + result.matchedCount, 0)),
        ),
      );
      // A lost update shows as two writers both matching a document: more matches than documents.
      expect(
        matched.reduce((sum, count) => sum + count, 0),
        `round ${round}: ${matched.join(', ')}`,
      ).toBe(ids.length);
      const stored = await collection.find({ _id: { $in: ids } }).toArray();
      const wins = new Map<number, number>();
      for (const doc of stored) wins.set(doc.v, (wins.get(doc.v) ?? 0) + 1);
      for (let writer = 0; writer < writers; writer += 1) expect(wins.get(writer + 1) ?? 0, `writer ${writer + 1}`).toBe(matched[writer]);
    }
  });

  it('R5: a store that does not apply a filtered replace atomically (a FerretDB without the local build fix) is refused; MongoDB and the local FerretDB are accepted', async () => {
    const info = await first.db.admin().command({ buildInfo: 1 });
    expect(info.ferretdbFeatures?.dancuAtomicIdUpdates).toBe(true);
    expect(unsafeStore(info)).toBeUndefined();
    const { dancuAtomicIdUpdates: _fix, ...stockFeatures } = info.ferretdbFeatures as Record<string, unknown>;
    expect(unsafeStore({ ...info, ferretdbFeatures: stockFeatures })).toMatchObject({
      code: 'store-unsupported',
      retryable: false,
      message: expect.stringMatching(/does not apply a filtered replace atomically.*use MongoDB/),
    });
    const { ferretdbVersion: _version, ferretdbFeatures: _features, ...mongodb } = info;
    expect(unsafeStore(mongodb)).toBeUndefined();
  });
});
