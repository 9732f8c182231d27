import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { WrittenCitizens } from '../hub/ingest/written-citizens.ts';
import { duplicatePositions } from '../hub/store/duplicate-key.ts';
import { CLAIM_LEASE_MS, PopulationStore } from '../hub/store/population-store.ts';
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

  it("R5: a citizen's first document is inserted without a claim (the insert is the compare-and-set); later revisions claim theirs", async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 5 });
    const seen = new Set<string>();
    // Each citizen's first event: it makes the citizen's first document.
    const births = events.filter((event) => !seen.has(event.personalId) && seen.add(event.personalId));
    const claimed: string[] = [];
    const insertMany = first.claims.insertMany.bind(first.claims);
    first.claims.insertMany = ((claims: Parameters<typeof insertMany>[0], options?: Parameters<typeof insertMany>[1]) => {
      claimed.push(...claims.map((claim) => String(claim._id)));
      return insertMany(claims, options);
    }) as typeof insertMany;
    try {
      await applyEvents(births, first);
      expect(claimed).toEqual([]);
      const rest = events.filter((event) => !births.includes(event));
      await applyEvents(rest, first);
      const updated = new Set(rest.map((event) => event.personalId));
      expect(claimed.length).toBeGreaterThan(0);
      for (const claim of claimed) expect(updated.has(claim.replace(/#2$/, '')), claim).toBe(true);
    } finally {
      first.claims.insertMany = insertMany;
    }
    for (const [id, citizen] of expectedCitizens(events)) expect(await storedCitizen(first, id), id).toEqual(citizen);
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

  it('R5: a writer whose cached copy of a citizen went stale (another instance wrote since) still loses nothing', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 10 });
    const cache = new WrittenCitizens();
    const thirds = [0, 1, 2].map((part) => events.filter((_, index) => index % 3 === part));
    await applyEvents(thirds[0]!, first, cache); // first instance, remembering what it wrote
    await applyEvents(thirds[1]!, second); // another instance writes the same citizens
    await applyEvents(thirds[2]!, first, cache); // the first one again, from its now stale cache

    for (const [id, citizen] of expectedCitizens(events)) expect(await storedCitizen(first, id), id).toEqual(citizen);
  });

  it('R5: a revision claimed by a writer that died before writing is skipped once its lease ran out', async () => {
    const [birth, later] = simulateEvents({
      seed: Math.floor(Math.random() * 1e9) + 1,
      citizens: 1,
      sources: ['civil-status', 'residence'],
    });
    await applyEvents([birth!], first);
    const before = await first.readCitizen(birth!.personalId);
    expect(before?.revision).toBe(1);
    // A writer claimed revision 2 long ago and died before writing the document.
    await first.claims.insertOne({
      _id: `${birth!.personalId}#2`,
      personalId: birth!.personalId,
      revision: 2,
      fingerprint: 'a write that never happened',
      batchId: 'a dead hub',
      claimedAt: new Date(Date.now() - 2 * CLAIM_LEASE_MS - 1_000),
    });
    const event = { ...later!, personalId: birth!.personalId } as SourceEvent;
    // A hub instance just started (its first write sweeps old claims).
    const third = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database: first.db.databaseName });
    const outcome = await applyEvents([event], third).finally(() => third.close());
    expect(outcome.applied).toBe(1);
    const after = await first.readCitizen(birth!.personalId);
    expect(after?.revision).toBe(3);
    expect(Object.values(after!.fields).map((version) => version.eventId)).toContain(event.eventId);
    // The dead writer's claim, older than two leases, has been swept away.
    expect(await first.claims.countDocuments({ _id: `${birth!.personalId}#2` })).toBe(0);
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

  it('R5: a stale write (merged from an older revision) is refused by the revision filter even when its claim is free again', async () => {
    const [birth, later] = simulateEvents({
      seed: Math.floor(Math.random() * 1e9) + 1,
      citizens: 1,
      sources: ['civil-status', 'residence'],
    });
    await applyEvents([birth!], first);
    const stale = await first.readCitizen(birth!.personalId); // revision 1
    await applyEvents([{ ...later!, personalId: birth!.personalId } as SourceEvent], second); // revision 2
    const outcome = await first.writeCitizens([{ document: { ...stale!, fields: {} }, eventIds: ['a-stale-write'] }], 'a-stale-batch');
    expect(outcome.conflicts).toEqual([birth!.personalId]);
    expect((await first.readCitizen(birth!.personalId))?.fields).not.toEqual({});
  });

  it("R5: a write's claims are deleted once its documents are written, and expired ones left by dead writers are swept however many there are", async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 20 });
    await applyEvents(events, first);
    const ids = [...new Set(events.map((event) => event.personalId))];
    expect(await first.claims.countDocuments({ personalId: { $in: ids } })).toBe(0);

    // 2,500 claims of writers that died long ago: more than one delete command takes (SWEEP_BATCH).
    const longAgo = new Date(Date.now() - 2 * CLAIM_LEASE_MS - 1_000);
    const dead = Array.from({ length: 2_500 }, (_, n) => ({
      _id: `dead-${n}#1`,
      personalId: `dead-${n}`,
      revision: 1,
      fingerprint: 'never written',
      batchId: 'a dead hub',
      claimedAt: longAgo,
    }));
    await first.claims.insertMany(dead, { ordered: false });
    const fresh = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database: first.db.databaseName });
    await applyEvents(simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 1 }), fresh).finally(() => fresh.close());
    expect(await first.claims.countDocuments({ batchId: 'a dead hub' })).toBe(0);
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
});
