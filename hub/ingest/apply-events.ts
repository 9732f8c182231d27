// Applies validated events to the population store: read the citizens, merge, write history,
// then compare-and-set the citizen documents. Citizens another hub instance wrote in between
// are re-read and merged again, so concurrent writers never lose each other's versions.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { mergeEvents, type CitizenChange, type MergeResult } from '../citizen/merge.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { IngestError } from './ingest-error.ts';

const MAX_ATTEMPTS = 8;
/** Between attempts: a competing writer holds the claim for the few milliseconds of its write. */
const BACKOFF_MS = 100;

export interface ApplyOutcome {
  /** Events that added at least one version. */
  applied: number;
  /** Events already in the store (same event id). */
  duplicates: number;
  changes: CitizenChange[];
}

export async function applyEvents(events: readonly SourceEvent[], store: PopulationStore): Promise<ApplyOutcome> {
  const byCitizen = new Map<string, SourceEvent[]>();
  for (const event of events) {
    const list = byCitizen.get(event.personalId);
    if (list) list.push(event);
    else byCitizen.set(event.personalId, [event]);
  }

  const batchId = randomUUID();
  const outcome: ApplyOutcome = { applied: 0, duplicates: 0, changes: [] };
  let pending = [...byCitizen.keys()];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > MAX_ATTEMPTS) {
      throw new IngestError('store-contention', `${pending.length} citizens kept changing under us after ${MAX_ATTEMPTS} attempts`, true);
    }
    if (attempt > 1) await sleep(BACKOFF_MS * (attempt - 1));
    const stored = await store.readCitizens(pending);
    const merged = new Map<string, MergeResult>();
    for (const id of pending) merged.set(id, mergeEvents(stored.get(id) ?? null, byCitizen.get(id) ?? []));

    const toWrite = [...merged.values()].filter((result) => result.changed);
    // History first: if we crash before the citizen write, the replay rewrites the same entries.
    const history = toWrite.flatMap((result) => result.history);
    const appliedNow = new Set(toWrite.flatMap((result) => [...result.appliedEventIds]));
    const isFresh = (entry: { _id: string }) => appliedNow.has(entry._id);
    await store.writeHistory(history.filter(isFresh), history.filter((entry) => !isFresh(entry)));
    const { conflicts } = await store.writeCitizens(
      toWrite.map((result) => ({ document: result.document, eventIds: result.appliedEventIds })),
      batchId,
    );
    const lost = new Set(conflicts);
    for (const [id, result] of merged) {
      if (lost.has(id)) continue;
      const eventCount = byCitizen.get(id)?.length ?? 0;
      outcome.applied += result.appliedEventIds.size;
      outcome.duplicates += eventCount - result.appliedEventIds.size;
      outcome.changes.push(...result.changes);
    }
    pending = conflicts;
  }
  return outcome;
}
