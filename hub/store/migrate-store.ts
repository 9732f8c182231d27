// `dancu store migrate`: converts a store written in the first shape — citizen documents that
// held every version of every field (`versions`), and history entries holding each change's
// previous value and outcome — into today's: a small citizen document (the current versions,
// which the old document already held in `fields`) and one insert-only history record per event.
//
// Citizens are taken in `_id` order, a page at a time. For each old-shape citizen, its events'
// history records are written first (replacing the old entries with the same event id), then
// the document is replaced by its small form. Both steps are idempotent, and a citizen already
// in the new shape is skipped, so a migration killed at any point is finished by running it again.
// Run it with the hubs stopped: it does not compare-and-set against a concurrent writer.
import type { CitizenDocument, FieldVersion, HistoryRecord } from '../citizen/citizen-document.ts';
import type { CitizenField } from '../citizen/fields.ts';
import { REPLACE_BATCH, slices, type PopulationStore } from './population-store.ts';

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
  seconds: number;
}

const PAGE = 200;

export async function migrateStore(store: PopulationStore, onProgress: (progress: MigrationProgress) => void = () => {}): Promise<MigrationSummary> {
  const started = performance.now();
  const total = await store.citizens.countDocuments();
  const summary: MigrationSummary = { citizens: 0, converted: 0, alreadyConverted: 0, historyRecords: 0, seconds: 0 };
  const migratedAt = new Date();
  let after: string | undefined;
  for (;;) {
    const page = (await store.citizens
      .find(after === undefined ? {} : { _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(PAGE)
      .toArray()) as Array<CitizenDocument | LegacyCitizenDocument>;
    if (page.length === 0) break;
    after = page[page.length - 1]!._id;
    const legacy = page.filter((doc): doc is LegacyCitizenDocument => 'versions' in doc);
    const records = legacy.flatMap((doc) => historyRecordsOf(doc, migratedAt));
    for (const slice of slices(records, REPLACE_BATCH)) {
      await store.history.bulkWrite(slice.map((record) => ({ replaceOne: { filter: { _id: record._id }, replacement: record, upsert: true } })), { ordered: false });
    }
    for (const slice of slices(legacy, REPLACE_BATCH)) {
      await store.citizens.bulkWrite(slice.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: smallDocumentOf(doc) } })), { ordered: false });
    }
    summary.citizens += page.length;
    summary.converted += legacy.length;
    summary.alreadyConverted += page.length - legacy.length;
    summary.historyRecords += records.length;
    onProgress({ seen: summary.citizens, total: Math.max(total, summary.citizens) });
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

function smallDocumentOf(doc: LegacyCitizenDocument): CitizenDocument {
  const fields: CitizenDocument['fields'] = {};
  for (const [field, version] of Object.entries(doc.fields) as Array<[CitizenField, FieldVersion & { digest?: string }]>) {
    const { digest: _digest, ...current } = version;
    fields[field] = current;
  }
  return { _id: doc._id, revision: doc.revision, ...(doc.lastBatchId === undefined ? {} : { lastBatchId: doc.lastBatchId }), fields };
}
