// `dancu store migrate`: converts a store written in an earlier shape into today's.
//   1. the first shape: citizen documents that held every version of every field (`versions`),
//      and history entries holding each change's previous value and outcome;
//   2. small documents with each field's provenance inside the field (before stored-citizen.ts);
//   3. small documents with current values and shared provenance as nested elements (`fields`,
//      `from`, `events`: before 2026-12-01).
// Today's: the small document laid out as stored-citizen.ts says (current values and shared
// provenance as one JSON text, the phone number beside) and one insert-only history record per
// event (history records of the layout before, `stated` as an array, are read as they are).
// Collections no longer used are dropped: `revision_claims` (citizen writes in flight, before
// 2026-12-02: compare-and-set is now the revision filter alone, population-store.ts).
//
// Citizens are taken in `_id` order, a page at a time. For a first-shape citizen, its events'
// history records are written first (replacing the old entries with the same event id); then
// every citizen not yet in today's layout is replaced by it. Both steps are idempotent, and a
// citizen already converted is skipped, so a migration killed at any point is finished by
// running it again. Run it with the hubs stopped: it does not compare-and-set against a
// concurrent writer. (Hubs read every small layout, so a store of the second or third shape is
// served while it waits for its migration; the first shape must be migrated before a hub starts.)
import type { CitizenDocument, FieldVersion, HistoryRecord } from '../citizen/citizen-document.ts';
import type { CitizenField } from '../citizen/fields.ts';
import { type PopulationStore, REPLACE_BATCH, slices } from './population-store.ts';
import { decodeCitizen, encodeCitizen, isStoredLayout } from './stored-citizen.ts';
import { encodeHistoryRecord } from './stored-history.ts';

/** A citizen document as the first shape stored it. */
interface LegacyCitizenDocument extends CitizenDocument {
  versions: Partial<Record<CitizenField, Array<FieldVersion & { digest?: string }>>>;
}

export interface MigrationProgress {
  /** Citizens looked at so far. */
  seen: number;
  /** All citizens in the store when the migration started. */
  total: number;
}

export interface MigrationSummary {
  citizens: number;
  converted: number;
  alreadyConverted: number;
  historyRecords: number;
  /** Collections of an earlier shape that were still there, now dropped. */
  retired: string[];
  seconds: number;
}

/** Collections earlier shapes used that today's does not. */
const RETIRED_COLLECTIONS = ['revision_claims'];

const PAGE = 200;

export async function migrateStore(
  store: PopulationStore,
  onProgress: (progress: MigrationProgress) => void = () => {},
): Promise<MigrationSummary> {
  const started = performance.now();
  const total = await store.citizens.countDocuments();
  const summary: MigrationSummary = { citizens: 0, converted: 0, alreadyConverted: 0, historyRecords: 0, retired: [], seconds: 0 };
  const migratedAt = new Date();
  let after: string | undefined;
  for (;;) {
    const page = (await store.citizens
      .find(after === undefined ? {} : { _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(PAGE)
      .toArray()) as Array<Parameters<typeof decodeCitizen>[0] | LegacyCitizenDocument>;
    if (page.length === 0) break;
    after = page[page.length - 1]!._id;
    const legacy = page.filter((doc): doc is LegacyCitizenDocument => 'versions' in doc);
    const records = legacy.flatMap((doc) => historyRecordsOf(doc, migratedAt));
    for (const slice of slices(records, REPLACE_BATCH)) {
      await store.history.bulkWrite(
        slice.map((record) => ({ replaceOne: { filter: { _id: record._id }, replacement: encodeHistoryRecord(record), upsert: true } })),
        { ordered: false },
      );
    }
    const outdated = page.filter((doc) => !isStoredLayout(doc));
    for (const slice of slices(outdated, REPLACE_BATCH)) {
      await store.citizens.bulkWrite(
        slice.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: encodeCitizen(smallDocumentOf(decodeCitizen(doc))) } })),
        { ordered: false },
      );
    }
    summary.citizens += page.length;
    summary.converted += outdated.length;
    summary.alreadyConverted += page.length - outdated.length;
    summary.historyRecords += records.length;
    onProgress({ seen: summary.citizens, total: Math.max(total, summary.citizens) });
  }
  const present = new Set((await store.db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name));
  for (const name of RETIRED_COLLECTIONS.filter((retired) => present.has(retired))) {
    await store.db.dropCollection(name);
    summary.retired.push(name);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** One record per event the old document's versions name, with what it stated about each field. */
export function historyRecordsOf(doc: LegacyCitizenDocument, migratedAt: Date): HistoryRecord[] {
  const records = new Map<string, HistoryRecord>();
  for (const [field, versions] of Object.entries(doc.versions) as Array<[CitizenField, LegacyCitizenDocument['versions'][CitizenField]]>) {
    for (const version of versions ?? []) {
      let record = records.get(version.eventId);
      if (!record) {
        record = {
          _id: version.eventId,
          personalId: doc._id,
          source: version.source,
          eventType: version.eventType,
          effectiveAt: version.effectiveAt,
          recordedAt: version.recordedAt,
          ...(version.digest === undefined ? {} : { digest: version.digest }),
          stated: [],
          acceptedAt: migratedAt,
        };
        records.set(version.eventId, record);
      }
      record.stated.push({ field, value: version.value, authoritative: version.authoritative });
    }
  }
  for (const record of records.values()) record.stated.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return [...records.values()];
}

/** The document's current versions without what the first shape kept beside them. */
function smallDocumentOf(doc: CitizenDocument | LegacyCitizenDocument): CitizenDocument {
  const fields: CitizenDocument['fields'] = {};
  for (const [field, version] of Object.entries(doc.fields) as Array<[CitizenField, FieldVersion & { digest?: string }]>) {
    const { digest: _digest, ...current } = version;
    fields[field] = current;
  }
  return { _id: doc._id, revision: doc.revision, ...(doc.lastBatchId === undefined ? {} : { lastBatchId: doc.lastBatchId }), fields };
}
