// R5: a store written in an earlier shape — the first (citizen documents holding every version of
// every field), or small documents with the provenance inside each field — is converted by
// `dancu store migrate` into today's small documents (stored-citizen.ts) and the insert-only
// history, losing nothing, and a migration interrupted half-way is finished by running it again.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import type { CitizenDocument, FieldVersion } from '../hub/citizen/citizen-document.ts';
import { eventDigest } from '../hub/citizen/event-digest.ts';
import type { CitizenField } from '../hub/citizen/fields.ts';
import { groupByCitizen, historyRecordOf, mergeRecords, replayHistory, versionsOf } from '../hub/citizen/merge.ts';
import { historyRecordsOf } from '../hub/store/migrate-store.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { type CitizenState, encodeCitizen } from '../hub/store/stored-citizen.ts';
import { encodeHistoryRecord } from '../hub/store/stored-history.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN, expectedCitizens, storedCitizens, uniqueName } from './harness.ts';

const run = promisify(execFile);

/** A citizen document as dancu wrote it before the small-document model. */
type LegacyDocument = CitizenDocument & { versions: Partial<Record<CitizenField, Array<FieldVersion & { digest?: string }>>> };

describe('migrating a store written in an earlier shape', () => {
  let store: PopulationStore;
  const database = uniqueName('dancu_migrate');
  beforeAll(async () => {
    store = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });
  });
  afterAll(async () => {
    await store?.db.dropDatabase();
    await store?.close();
  });

  it('R5: `dancu store migrate` converts every citizen and its history, drops the retired revision claims, resumes after an interruption, and a second run changes nothing', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 60 });
    // The fixture: what the first shape stored for these events — every version in the document,
    // each history entry with its previous value and outcome.
    const legacy: LegacyDocument[] = [];
    const oldHistory = [];
    for (const [id, list] of groupByCitizen(events)) {
      const records = list.map((event) => historyRecordOf(event, eventDigest(event), new Date()));
      const versions: LegacyDocument['versions'] = {};
      for (const record of records) {
        for (const { field, version } of versionsOf(record)) (versions[field] ??= []).push({ ...version, digest: record.digest! });
      }
      for (const list of Object.values(versions))
        list!.sort((a, b) => (a.effectiveAt + a.recordedAt + a.eventId < b.effectiveAt + b.recordedAt + b.eventId ? -1 : 1));
      const fields = mergeRecords(null, records).document.fields;
      legacy.push({ _id: id, revision: 3, lastBatchId: 'an-old-batch', fields, versions });
      oldHistory.push(...replayHistory(records));
    }
    const citizens = store.db.collection<CitizenDocument | LegacyDocument | ReturnType<typeof encodeCitizen>>('citizens');
    await citizens.insertMany(legacy);
    await store.db.collection('history').insertMany(oldHistory as never[]);
    // A revision claim an earlier hub left (before 2026-12-02, compare-and-set took a claim document).
    await store.db.collection<{ _id: string }>('revision_claims').insertOne({ _id: `${legacy[0]!._id}#4` });

    // An earlier run killed half-way: one citizen fully converted, one with only its history
    // written, one left in the second shape (small, provenance inside each field) and one in the
    // third (current values and shared provenance as nested elements, before 2026-12-01).
    const [done, halfDone, secondShape, thirdShape] = [legacy[0]!, legacy[1]!, legacy[2]!, legacy[3]!];
    for (const doc of [done, halfDone, secondShape, thirdShape]) {
      for (const record of historyRecordsOf(doc, new Date()))
        await store.history.replaceOne({ _id: record._id }, encodeHistoryRecord(record), { upsert: true });
    }
    const small = (doc: LegacyDocument): CitizenDocument => ({ _id: doc._id, revision: doc.revision, fields: doc.fields });
    await citizens.replaceOne({ _id: done._id }, encodeCitizen(small(done)));
    await citizens.replaceOne({ _id: secondShape._id }, small(secondShape));
    const { state, phoneNumber: _phone, ...top } = encodeCitizen(small(thirdShape));
    await citizens.replaceOne({ _id: thirdShape._id }, { ...top, ...(JSON.parse(state) as CitizenState) } as never);

    const env = cliEnv({ DANCU_DB: database });
    const first = await run(process.execPath, [DANCU_BIN, 'store', 'migrate'], { env });
    expect(first.stdout).toMatch(
      new RegExp(`^${legacy.length} citizens in ${database}: ${legacy.length - 1} converted, 1 already in the new shape`),
    );

    const expected = expectedCitizens(events);
    const stored = await storedCitizens(store, [...expected.keys()]);
    for (const [id, citizen] of expected) expect(stored.get(id), id).toEqual(citizen);
    expect(await citizens.countDocuments({ versions: { $exists: true } })).toBe(0);
    expect(await citizens.countDocuments({ events: { $exists: true } })).toBe(0);
    expect(await citizens.countDocuments({ state: { $exists: false } })).toBe(0);
    expect(await store.history.countDocuments()).toBe(events.length);
    expect((await store.history.findOne({ _id: events[0]!.eventId }))?.digest).toBe(eventDigest(events[0]!));
    expect(first.stdout).toMatch(/dropped revision_claims \(no longer used\)/);
    expect((await store.db.listCollections({ name: 'revision_claims' }).toArray()).length).toBe(0);

    const second = await run(process.execPath, [DANCU_BIN, 'store', 'migrate'], { env });
    expect(second.stdout).toMatch(
      new RegExp(`^${legacy.length} citizens in ${database}: 0 converted, ${legacy.length} already in the new shape; 0 history records`),
    );
  });
});
