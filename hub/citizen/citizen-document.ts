import type { SourceName } from '../../kafka/topics.ts';
import type { CitizenField } from './fields.ts';

/** One value of one field as one source stated it: who said it, when, in which event. */
export interface FieldVersion {
  value: unknown;
  source: SourceName;
  eventId: string;
  eventType: string;
  /** When the fact took legal effect (the event's occurredAt). Orders versions. */
  effectiveAt: string;
  /** When the source recorded it. Breaks ties between equal effective times. */
  recordedAt: string;
  /** Whether `source` is the authoritative source for this field (see AUTHORITY). */
  authoritative: boolean;
  /** The event's digest (event-digest.ts): another event reusing the id is told apart by it. Absent in versions stored before it was kept. */
  digest?: string;
}

/**
 * The population store's document for one citizen, `_id` = personal id.
 * `versions` is the record of truth: every version of every field, in chronological order.
 * `fields` is the current value of each field, materialised from `versions` for reads.
 * `revision` guards against lost updates when two hub instances write the same citizen.
 */
export interface CitizenDocument {
  _id: string;
  revision: number;
  /** The ingest batch that last wrote this document (how a writer learns it won a race). */
  lastBatchId?: string;
  fields: Partial<Record<CitizenField, FieldVersion>>;
  versions: Partial<Record<CitizenField, FieldVersion[]>>;
}

/** One accepted event's effect on the record (the history collection, R5), `_id` = event id. */
export interface HistoryEntry {
  _id: string;
  personalId: string;
  source: SourceName;
  eventType: string;
  effectiveAt: string;
  recordedAt: string;
  /** The event's digest (event-digest.ts); absent in entries stored before it was kept. */
  digest?: string;
  changes: HistoryChange[];
}

export interface HistoryChange {
  field: CitizenField;
  value: unknown;
  /** The field's value just before this version took effect (null when there was none). */
  previous: unknown;
  /** `applied`: it became the field's value; `overruled`: an authoritative value stood and was kept. */
  outcome: 'applied' | 'overruled';
}
