// Applies validated events to the population store:
//   1. one history record per event id (an id seen twice in the slice: a duplicate if the same
//      event, else a conflict);
//   2. append the records to the history (insert-only; an id already there is a redelivery when
//      it is the same event — same citizen, same digest — and a conflict when it is not);
//   3. merge the accepted and redelivered records into each citizen's small document and write it
//      compare-and-set, one write per citizen. Citizens another writer wrote in between are read
//      and merged again, so concurrent writers never lose each other's versions.
// Redelivered records are merged again on purpose: the merge is idempotent, and it is what
// finishes the work of a slice that crashed between its history and its citizen writes. And the
// changes of merged records that stand but that this merge did not announce are announced
// (again): they finish the work of a slice that crashed between its citizen writes and its
// change-feed send, or of a write taken for lost that had gone through (reannounce, below).

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pMap from 'p-map';
import type { SourceEvent } from '../../schemas/source-event.ts';
import type { CitizenChange } from '../../schemas/types.ts';
import type { CitizenDocument, FieldVersion, HistoryRecord } from '../citizen/citizen-document.ts';
import { eventDigest } from '../citizen/event-digest.ts';
import type { CitizenField } from '../citizen/fields.ts';
import { changeOf, groupByCitizen, historyRecordOf, type MergeResult, mergeRecords } from '../citizen/merge.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { IngestError } from './ingest-error.ts';
import type { WrittenCitizens } from './written-citizens.ts';

const MAX_ATTEMPTS = 8;
/** Between attempts: a competing writer is writing the same citizens (e.g. during a rebalance). */
const BACKOFF_MS = 100;

/** `applied`: new to the store; `duplicate`: the store (or the call) held the same event already; `conflict`: the id names another event. */
export type EventVerdict = 'applied' | 'duplicate' | 'conflict';

export interface ApplyOutcome {
  /** Events new to the store. */
  applied: number;
  /** Events the store already held (same event id, same content). */
  duplicates: number;
  /** Events reusing an id the store holds for a different event: refused, the first stands. */
  conflicts: SourceEvent[];
  changes: CitizenChange[];
  /** What became of each event given (by identity): so each record's trace and slice can say. */
  verdicts: Map<SourceEvent, EventVerdict>;
  /** Read-merge-write rounds it took; more than one means another writer got in between. */
  attempts: number;
}

/**
 * `cache` holds documents this writer stored last. It can be stale only if another writer
 * wrote the citizen since, and then our compare-and-set write fails and the citizen is read
 * again from the store.
 */
export async function applyEvents(events: readonly SourceEvent[], store: PopulationStore, cache?: WrittenCitizens): Promise<ApplyOutcome> {
  try {
    return await applyWith(events, store, cache);
  } catch (error) {
    for (const event of events) cache?.delete(event.personalId);
    throw error;
  }
}

async function applyWith(
  events: readonly SourceEvent[],
  store: PopulationStore,
  cache: WrittenCitizens | undefined,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, duplicates: 0, conflicts: [], changes: [], verdicts: new Map(), attempts: 0 };
  const acceptedAt = new Date();
  // Every copy of an event id in the slice, in order; the first is the one offered to the history.
  const copies = new Map<string, Array<{ record: HistoryRecord; event: SourceEvent }>>();
  for (const event of events) {
    const copy = { record: historyRecordOf(event, eventDigest(event), acceptedAt), event };
    const list = copies.get(event.eventId);
    if (list) list.push(copy);
    else copies.set(event.eventId, [copy]);
  }

  // The citizens' documents are read while the history is appended: neither needs the other, and
  // on a store round both wait on the store.
  const [stored, current] = await Promise.all([
    store.appendHistory([...copies.values()].map((list) => list[0]!.record)),
    readCitizens(new Set(events.map((event) => event.personalId)), store, cache),
  ]);
  const toMerge: HistoryRecord[] = [];
  for (const [id, list] of copies) {
    // The event the store holds under this id: the one just appended, or the one accepted before.
    const isNew = !stored.has(id);
    const reference = isNew ? list[0]!.record : (stored.get(id) ?? list[0]!.record);
    let matched = false;
    list.forEach(({ record, event }, index) => {
      if (!sameEvent(reference, record)) {
        outcome.conflicts.push(event);
        outcome.verdicts.set(event, 'conflict');
        return;
      }
      matched = true;
      if (isNew && index === 0) {
        outcome.applied += 1;
        outcome.verdicts.set(event, 'applied');
      } else {
        outcome.duplicates += 1;
        outcome.verdicts.set(event, 'duplicate');
      }
    });
    if (matched) toMerge.push(reference);
  }
  if (toMerge.length === 0) return outcome;
  const { changes, documents } = await mergeIntoCitizens(toMerge, current, store, cache, outcome);
  // Written but unannounced: redelivered records (see reannounce), and records of a write this
  // writer took for lost because another writer wrote the citizen again before it could check.
  const merged = new Set(toMerge.map((record) => record._id));
  outcome.changes = [...changes, ...(await reannounce(merged, documents, changes, store))];
  return outcome;
}

/** Reads of a citizen's history at once, for the previous values of changes announced again. */
const HISTORY_READS_AT_ONCE = 8;

/**
 * The changes of merged events (`merged`: their ids) that stand in their citizens' documents and
 * that this merge did not announce itself: announced (again). Two ways to get here:
 * - a slice whose citizens were written but whose changes never reached the feed (the hub died in
 *   between, so its offsets were not committed) comes back from Kafka, its records are
 *   duplicates, and merging them changes nothing;
 * - a write that went through, but another writer wrote the citizen again before this one checked
 *   which of its replaces had missed (writeCitizens tells them apart by who wrote last), so it was
 *   taken for lost, and merging it again changes nothing.
 * Without this those changes would never reach the feed. Sent when they did reach it, they carry
 * the same change ids (`<event id>:<field>`), which consumers recognise. The value each replaced
 * is the one the citizen's replayed history gives (as `dancu citizen show` derives it). A change a
 * later event overruled is not announced again: the later one's change stands for the field.
 * Normally every standing version of a merged event was announced by the merge: nothing is read.
 */
async function reannounce(
  merged: ReadonlySet<string>,
  documents: ReadonlyMap<string, CitizenDocument>,
  announced: readonly CitizenChange[],
  store: PopulationStore,
): Promise<CitizenChange[]> {
  if (merged.size === 0) return [];
  const already = new Set(announced.map((change) => change.changeId));
  // Per citizen, the fields whose standing version a merged event set and this merge did not announce.
  const standing = new Map<string, CitizenField[]>();
  for (const [personalId, document] of documents) {
    const fields = (Object.entries(document.fields) as Array<[CitizenField, FieldVersion]>)
      .filter(([field, version]) => merged.has(version.eventId) && !already.has(`${version.eventId}:${field}`))
      .map(([field]) => field);
    if (fields.length > 0) standing.set(personalId, fields);
  }
  const ids = [...standing.keys()];
  const histories = await pMap(ids, (id) => store.readHistory(id), { concurrency: HISTORY_READS_AT_ONCE });
  return ids.flatMap((personalId, index) => {
    const document = documents.get(personalId)!;
    return standing.get(personalId)!.map((field) => {
      const version = document.fields[field]!;
      const replaced = histories[index]!.find((entry) => entry._id === version.eventId)?.changes.find((change) => change.field === field);
      return changeOf(personalId, field, version, replaced ? replaced.previous : null);
    });
  });
}

/** The documents this writer holds for `ids`, and the others as the store has them (absent: none yet). */
async function readCitizens(
  ids: ReadonlySet<string>,
  store: PopulationStore,
  cache: WrittenCitizens | undefined,
): Promise<Map<string, CitizenDocument>> {
  const documents = new Map<string, CitizenDocument>();
  const toRead: string[] = [];
  for (const id of ids) {
    const cached = cache?.get(id);
    if (cached) documents.set(id, cached);
    else toRead.push(id);
  }
  for (const [id, doc] of await store.readCitizens(toRead)) documents.set(id, doc);
  return documents;
}

async function mergeIntoCitizens(
  records: HistoryRecord[],
  current: Map<string, CitizenDocument>,
  store: PopulationStore,
  cache: WrittenCitizens | undefined,
  outcome: ApplyOutcome,
): Promise<{ changes: CitizenChange[]; documents: Map<string, CitizenDocument> }> {
  const byCitizen = groupByCitizen(records);
  // Each citizen's document as it stands once its write went through (or needed none).
  const standing = new Map<string, CitizenDocument>();
  const batchId = randomUUID();
  const changes: CitizenChange[] = [];
  let pending = [...byCitizen.keys()];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    outcome.attempts = attempt;
    if (attempt > MAX_ATTEMPTS) {
      throw new IngestError('store-contention', `${pending.length} citizens kept changing under us after ${MAX_ATTEMPTS} attempts`, true);
    }
    if (attempt > 1) await sleep(BACKOFF_MS * (attempt - 1));
    // First as read beside the history; after a lost compare-and-set, as the store has them now.
    const read = attempt === 1 ? current : await store.readCitizens(pending);
    const merged = new Map<string, MergeResult>();
    for (const id of pending) merged.set(id, mergeRecords(read.get(id) ?? null, byCitizen.get(id) ?? []));

    const toWrite = [...merged.entries()].filter(([, result]) => result.changed);
    const { conflicts, written } = await store.writeCitizens(
      toWrite.map(([, result]) => ({ document: result.document })),
      batchId,
    );
    for (const [id, doc] of written) cache?.set(id, doc);
    for (const id of conflicts) cache?.delete(id);
    const lost = new Set(conflicts);
    for (const [id, result] of merged) {
      if (lost.has(id)) continue;
      changes.push(...result.changes);
      standing.set(id, written.get(id) ?? result.document);
    }
    pending = conflicts;
  }
  return { changes, documents: standing };
}

/** Whether two history records are the same event (digests compared where both have one: records migrated from before digests lack it). */
function sameEvent(stored: HistoryRecord, record: HistoryRecord): boolean {
  if (stored.personalId !== record.personalId) return false;
  return stored.digest === undefined || stored.digest === record.digest;
}
