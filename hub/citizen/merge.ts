// The merge rules of the population store, as plain functions (no I/O).
//
// A field's value is decided by its versions alone, never by the order they arrived in:
// replaying the versions in chronological order, a version takes effect unless an
// authoritative value stands and it is not itself authoritative. So the final value is the
// latest authoritative version if there is one, else the latest version — the greatest version
// in the order of `wins`. The citizen document keeps only that version per field; the history
// keeps every event, and what each version replaced is derived from it on reading.
import type { SourceEvent } from '../../schemas/source-event.ts';
import type { CitizenChange } from '../../schemas/types.ts';
import type { CitizenDocument, FieldVersion, HistoryChange, HistoryEntry, HistoryRecord } from './citizen-document.ts';
import { effectsOf } from './event-effects.ts';
import { type CitizenField, isAuthoritative } from './fields.ts';

export interface MergeResult {
  document: CitizenDocument;
  /** False when no field took a new current version: nothing to write. */
  changed: boolean;
  /** Changes to publish: the fields whose current version is now one of the merged events'. */
  changes: CitizenChange[];
}

/** The events of each citizen, in the order given. */
export function groupByCitizen<T extends { personalId: string }>(events: readonly T[]): Map<string, T[]> {
  const byCitizen = new Map<string, T[]>();
  for (const event of events) {
    const list = byCitizen.get(event.personalId);
    if (list) list.push(event);
    else byCitizen.set(event.personalId, [event]);
  }
  return byCitizen;
}

export function emptyCitizen(personalId: string): CitizenDocument {
  return { _id: personalId, revision: 0, fields: {} };
}

/** The history record of an accepted event: what it stated, field by field. */
export function historyRecordOf(event: SourceEvent, digest: string, acceptedAt: Date): HistoryRecord {
  return {
    _id: event.eventId,
    personalId: event.personalId,
    source: event.source,
    eventType: event.type,
    effectiveAt: toUtc(event.occurredAt),
    recordedAt: toUtc(event.recordedAt),
    digest,
    stated: effectsOf(event).map(({ field, value }) => ({ field, value, authoritative: isAuthoritative(field, event.source) })),
    acceptedAt,
  };
}

/** The field versions a history record stands for. */
export function versionsOf(record: HistoryRecord): Array<{ field: CitizenField; version: FieldVersion }> {
  return record.stated.map(({ field, value, authoritative }) => ({
    field,
    version: {
      value,
      source: record.source,
      eventId: record._id,
      eventType: record.eventType,
      effectiveAt: record.effectiveAt,
      recordedAt: record.recordedAt,
      authoritative,
    },
  }));
}

/** Whether `candidate` becomes the field's value over `current`: authoritative first, then the later. */
export function wins(candidate: FieldVersion, current: FieldVersion | undefined): boolean {
  if (!current) return true;
  if (candidate.authoritative !== current.authoritative) return candidate.authoritative;
  return chronologically(candidate, current) > 0;
}

/**
 * Merges accepted events (as their history records) into a citizen's document. Idempotent: a
 * record merged before changes nothing, so a replayed slice can merge again whatever it holds.
 */
export function mergeRecords(existing: CitizenDocument | null, records: readonly HistoryRecord[]): MergeResult {
  const first = records[0];
  if (!first) throw new Error('mergeRecords needs at least one history record');
  const base = existing ?? emptyCitizen(first.personalId);
  const fields = { ...base.fields };
  for (const record of records) {
    if (record.personalId !== base._id) throw new Error(`event ${record._id} is not about citizen ${base._id}`);
    for (const { field, version } of versionsOf(record)) {
      if (wins(version, fields[field])) fields[field] = version;
    }
  }
  const changes: CitizenChange[] = [];
  for (const [field, version] of Object.entries(fields) as Array<[CitizenField, FieldVersion]>) {
    const before = base.fields[field];
    if (before?.eventId === version.eventId) continue;
    changes.push(changeOf(base._id, field, version, before ? before.value : null));
  }
  return { document: { _id: base._id, revision: base.revision, fields }, changed: changes.length > 0, changes };
}

/**
 * The change-feed record of a field's new version. Its id is `<event id>:<field>`, the same each
 * time the same version is announced, so a consumer recognises a change it has seen.
 */
export function changeOf(personalId: string, field: CitizenField, version: FieldVersion, previous: unknown): CitizenChange {
  return {
    changeId: `${version.eventId}:${field}`,
    personalId,
    field,
    value: version.value,
    previous,
    source: version.source,
    eventId: version.eventId,
    eventType: version.eventType,
    effectiveAt: version.effectiveAt,
    recordedAt: version.recordedAt,
    authoritative: version.authoritative,
  };
}

/**
 * A citizen's history as people read it: every accepted event in time order, and for each field
 * it stated the value before it and whether it took effect. Derived from the stored records by
 * replaying them, so it is the same whatever order the events arrived in.
 */
export function replayHistory(records: readonly HistoryRecord[]): HistoryEntry[] {
  const versions = records.flatMap(versionsOf).sort((a, b) => chronologically(a.version, b.version) || compare(a.field, b.field));
  const entries = new Map<string, HistoryEntry>();
  const ordered = [...records].sort(
    (a, b) => compare(a.effectiveAt, b.effectiveAt) || compare(a.recordedAt, b.recordedAt) || compare(a._id, b._id),
  );
  for (const record of ordered) {
    const { _id, personalId, source, eventType, effectiveAt, recordedAt } = record;
    entries.set(_id, { _id, personalId, source, eventType, effectiveAt, recordedAt, changes: [] });
  }
  const current = new Map<CitizenField, FieldVersion>();
  for (const { field, version } of versions) {
    const standing = current.get(field);
    const takesEffect = !standing || version.authoritative || !standing.authoritative;
    if (takesEffect) current.set(field, version);
    entries.get(version.eventId)!.changes.push({
      field,
      value: version.value,
      previous: standing ? standing.value : null,
      outcome: takesEffect ? 'applied' : 'overruled',
    } satisfies HistoryChange);
  }
  for (const entry of entries.values()) entry.changes.sort((a, b) => compare(a.field, b.field));
  return [...entries.values()];
}

function chronologically(a: FieldVersion, b: FieldVersion): number {
  return compare(a.effectiveAt, b.effectiveAt) || compare(a.recordedAt, b.recordedAt) || compare(a.eventId, b.eventId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toUtc(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
