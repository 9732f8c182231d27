// Applies validated events to the population store: read the citizens, merge, write history,
// then compare-and-set the citizen documents. Citizens another hub instance wrote in between
// are re-read and merged again, so concurrent writers never lose each other's versions.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { groupByCitizen, mergeEvents, type CitizenChange, type MergeResult } from '../citizen/merge.ts';
import type { CitizenDocument } from '../citizen/citizen-document.ts';
import type { PopulationStore } from '../store/population-store.ts';
import type { CitizenCache } from './citizen-cache.ts';
import { IngestError } from './ingest-error.ts';

const MAX_ATTEMPTS = 8;
/** Between attempts: a competing writer holds the claim for the few milliseconds of its write. */
const BACKOFF_MS = 100;

export interface ApplyOutcome {
  /** Events that added at least one version. */
  applied: number;
  /** Events already in the store (same event id, same content). */
  duplicates: number;
  /** Events reusing an id the store holds for a different event: refused, the first stands. */
  conflicts: SourceEvent[];
  changes: CitizenChange[];
  /** The ids of the events that added a version, so each event's trace can say applied or duplicate. */
  appliedEventIds: Set<string>;
  /** Read-merge-write rounds it took; more than one means another writer got in between. */
  attempts: number;
}

/**
 * `cache` holds documents this writer stored last. It can be stale only if another writer
 * wrote the citizen since, and then that writer holds the next revision's claim, so our write
 * comes back as a conflict and the citizen is read again from the store.
 */
export async function applyEvents(events: readonly SourceEvent[], store: PopulationStore, cache?: CitizenCache): Promise<ApplyOutcome> {
  try {
    return await applyWith(events, store, cache);
  } catch (error) {
    for (const event of events) cache?.delete(event.personalId);
    throw error;
  }
}

async function applyWith(events: readonly SourceEvent[], store: PopulationStore, cache: CitizenCache | undefined): Promise<ApplyOutcome> {
  const byCitizen = groupByCitizen(events);

  const batchId = randomUUID();
  const outcome: ApplyOutcome = { applied: 0, duplicates: 0, conflicts: [], changes: [], appliedEventIds: new Set(), attempts: 0 };
  let pending = [...byCitizen.keys()];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    outcome.attempts = attempt;
    if (attempt > MAX_ATTEMPTS) {
      throw new IngestError('store-contention', `${pending.length} citizens kept changing under us after ${MAX_ATTEMPTS} attempts`, true);
    }
    if (attempt > 1) await sleep(BACKOFF_MS * (attempt - 1));
    const stored = new Map<string, CitizenDocument>();
    const toRead: string[] = [];
    for (const id of pending) {
      const cached = attempt === 1 ? cache?.get(id) : undefined;
      if (cached) stored.set(id, cached);
      else toRead.push(id);
    }
    for (const [id, doc] of await store.readCitizens(toRead)) stored.set(id, doc);
    const merged = new Map<string, MergeResult>();
    for (const id of pending) merged.set(id, mergeEvents(stored.get(id) ?? null, byCitizen.get(id) ?? []));

    let toWrite = [...merged.values()].filter((result) => result.changed);
    // History first: if we crash before the citizen write, the replay rewrites the same entries.
    const history = toWrite.flatMap((result) => result.history);
    const appliedNow = new Set(toWrite.flatMap((result) => [...result.appliedEventIds]));
    const isFresh = (entry: { _id: string }) => appliedNow.has(entry._id);
    const clashes = await store.writeHistory(history.filter(isFresh), history.filter((entry) => !isFresh(entry)));
    // Events whose id another citizen's history holds: refused, and their citizens merged again without them.
    const remerge = new Set<string>();
    if (clashes.size > 0) {
      for (const [id, list] of byCitizen) {
        const kept = list.filter((event) => !clashes.has(event.eventId));
        if (kept.length === list.length) continue;
        outcome.conflicts.push(...list.filter((event) => clashes.has(event.eventId)));
        byCitizen.set(id, kept);
        merged.delete(id);
        if (kept.length > 0) remerge.add(id);
      }
      toWrite = toWrite.filter((result) => merged.has(result.document._id));
    }
    const { conflicts, written } = await store.writeCitizens(
      toWrite.map((result) => ({ document: result.document, eventIds: result.appliedEventIds })),
      batchId,
    );
    for (const [id, doc] of written) cache?.set(id, doc);
    for (const id of conflicts) cache?.delete(id);
    const lost = new Set(conflicts);
    for (const [id, result] of merged) {
      if (lost.has(id)) continue;
      const eventCount = byCitizen.get(id)?.length ?? 0;
      outcome.applied += result.appliedEventIds.size;
      outcome.duplicates += eventCount - result.appliedEventIds.size - result.conflicts.length;
      outcome.conflicts.push(...result.conflicts);
      outcome.changes.push(...result.changes);
      for (const eventId of result.appliedEventIds) outcome.appliedEventIds.add(eventId);
    }
    pending = [...conflicts, ...remerge];
  }
  return outcome;
}
