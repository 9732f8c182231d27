// The population store's two shapes (R5):
//   citizens  one small document per citizen: each field's current version with its provenance.
//   history   one document per accepted event, never rewritten: what the event stated, field by field.
// What a version replaced, and whether it took effect, is derived from the history when it is
// read (replayHistory in merge.ts), so an event arriving late never rewrites what is stored.
import type { SourceName } from '../../schemas/sources.ts';
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
}

/**
 * A document of `citizens`, `_id` = personal id. `fields` holds each field's current version,
 * which is also all the merge needs: the current version is the greatest of all versions in the
 * merge order (authoritative before not, then later before earlier; see `wins` in merge.ts), so
 * a new version replaces it exactly when it is greater, in any arrival order.
 * `revision` guards against lost updates when two hub instances write the same citizen.
 */
export interface CitizenDocument {
  _id: string;
  revision: number;
  /** The ingest batch that last wrote this document (how a writer learns it won a race). */
  lastBatchId?: string;
  fields: Partial<Record<CitizenField, FieldVersion>>;
}

/** What one event stated about one field. */
export interface StatedValue {
  field: CitizenField;
  value: unknown;
  authoritative: boolean;
}

/** Which accepted event, about whom, from whom, and when: `_id` = event id. */
export interface EventProvenance {
  _id: string;
  personalId: string;
  source: SourceName;
  eventType: string;
  effectiveAt: string;
  recordedAt: string;
}

/**
 * A document of `history`: one accepted event, inserted once and never changed. A second insert
 * of the same id fails on the unique `_id`, which is how a redelivery is recognised; `digest`
 * tells a redelivery from a different event reusing the id.
 */
export interface HistoryRecord extends EventProvenance {
  /** The event's digest (event-digest.ts); absent on records migrated from before digests were kept. */
  digest?: string;
  stated: StatedValue[];
  /** When the hub accepted it. */
  acceptedAt: Date;
}

/** One accepted event's effect on the record as `citizen show` and the tests read it (derived, never stored). */
export interface HistoryEntry extends EventProvenance {
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
