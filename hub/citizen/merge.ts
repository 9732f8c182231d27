// The merge rules of the population store, as plain functions (no I/O).
//
// A field's value is decided by its versions alone, never by the order they arrived in:
// replaying the versions in chronological order, a version takes effect unless an
// authoritative value stands and it is not itself authoritative. So the final value is the
// latest authoritative version if there is one, else the latest version; duplicates (same
// event id) are ignored. Any arrival order of the same events gives the same document and
// the same history.
import type { SourceEvent } from '../../schemas/source-event.ts';
import type { CitizenDocument, FieldVersion, HistoryChange, HistoryEntry } from './citizen-document.ts';
import { effectsOf } from './event-effects.ts';
import { eventDigest } from './event-digest.ts';
import { isAuthoritative, type CitizenField } from './fields.ts';

/** A change-feed record (dancu.changes.v1): a field of a citizen took a new current value. */
export interface CitizenChange {
  /** `<event id>:<field>` — stable, so consumers can drop redeliveries. */
  changeId: string;
  personalId: string;
  field: CitizenField;
  value: unknown;
  previous: unknown;
  source: string;
  eventId: string;
  eventType: string;
  effectiveAt: string;
  recordedAt: string;
  authoritative: boolean;
}

export interface MergeResult {
  document: CitizenDocument;
  /** False when every event was already in the document (a replay): nothing to write. */
  changed: boolean;
  /** Events of this batch that added versions; the others were duplicates. */
  appliedEventIds: Set<string>;
  /** History entries that are new or whose `previous`/`outcome` moved because an older event arrived late. */
  history: HistoryEntry[];
  /** Changes to publish: the batch's field versions that are now current. */
  changes: CitizenChange[];
  /**
   * Events whose id the citizen's record already holds (or an earlier event of the batch
   * used) with different content: the first accepted version stands, these are refused.
   */
  conflicts: SourceEvent[];
}

/** The events of each citizen, in the order given. */
export function groupByCitizen(events: readonly SourceEvent[]): Map<string, SourceEvent[]> {
  const byCitizen = new Map<string, SourceEvent[]>();
  for (const event of events) {
    const list = byCitizen.get(event.personalId);
    if (list) list.push(event);
    else byCitizen.set(event.personalId, [event]);
  }
  return byCitizen;
}

export function emptyCitizen(personalId: string): CitizenDocument {
  return { _id: personalId, revision: 0, fields: {}, versions: {} };
}

export function mergeEvents(existing: CitizenDocument | null, events: readonly SourceEvent[]): MergeResult {
  const first = events[0];
  if (!first) throw new Error('mergeEvents needs at least one event');
  const base = existing ?? emptyCitizen(first.personalId);
  const versions = cloneVersions(base.versions);
  const appliedEventIds = new Set<string>();
  const digests = digestsOf(base.versions);
  const conflicts: SourceEvent[] = [];

  for (const event of events) {
    if (event.personalId !== base._id) throw new Error(`event ${event.eventId} is not about citizen ${base._id}`);
    const digest = eventDigest(event);
    if (digests.has(event.eventId)) {
      const known = digests.get(event.eventId);
      // Unknown digest: a version stored before digests were kept; taken as the same event.
      if (known !== undefined && known !== digest) conflicts.push(event);
      continue;
    }
    digests.set(event.eventId, digest);
    for (const effect of effectsOf(event)) {
      const list = (versions[effect.field] ??= []);
      if (list.some((version) => version.eventId === event.eventId)) continue;
      list.push({
        value: effect.value,
        source: event.source,
        eventId: event.eventId,
        eventType: event.type,
        effectiveAt: toUtc(event.occurredAt),
        recordedAt: toUtc(event.recordedAt),
        authoritative: isAuthoritative(effect.field, event.source),
        digest,
      });
      list.sort(chronologically);
      appliedEventIds.add(event.eventId);
    }
  }

  const before = replayAll(base._id, base.versions);
  const after = replayAll(base._id, versions);
  const document: CitizenDocument = { _id: base._id, revision: base.revision, fields: after.current, versions };
  const history = [...after.history.values()].filter(
    (entry) => JSON.stringify(entry) !== JSON.stringify(before.history.get(entry._id)),
  );
  return {
    document,
    changed: appliedEventIds.size > 0,
    appliedEventIds,
    history,
    changes: changesOf(events, after, base._id),
    conflicts,
  };
}

/** Every event id the record holds, with its digest where one was kept. */
function digestsOf(versions: CitizenDocument['versions']): Map<string, string | undefined> {
  const digests = new Map<string, string | undefined>();
  for (const list of Object.values(versions)) for (const version of list ?? []) digests.set(version.eventId, version.digest);
  return digests;
}

interface Replay {
  current: Partial<Record<CitizenField, FieldVersion>>;
  history: Map<string, HistoryEntry>;
  /** For each current version, the value it replaced. */
  previousOfCurrent: Map<CitizenField, unknown>;
}

function replayAll(personalId: string, versions: CitizenDocument['versions']): Replay {
  const replay: Replay = { current: {}, history: new Map(), previousOfCurrent: new Map() };
  for (const field of Object.keys(versions).sort() as CitizenField[]) {
    let current: FieldVersion | undefined;
    let previousOfCurrent: unknown = null;
    for (const version of versions[field] ?? []) {
      const previous = current ? current.value : null;
      const takesEffect = !current || version.authoritative || !current.authoritative;
      if (takesEffect) {
        current = version;
        previousOfCurrent = previous;
      }
      entryFor(replay.history, version, personalId).changes.push({
        field,
        value: version.value,
        previous,
        outcome: takesEffect ? 'applied' : 'overruled',
      } satisfies HistoryChange);
    }
    if (current) {
      replay.current[field] = current;
      replay.previousOfCurrent.set(field, previousOfCurrent);
    }
  }
  return replay;
}

function entryFor(history: Map<string, HistoryEntry>, version: FieldVersion, personalId: string): HistoryEntry {
  let entry = history.get(version.eventId);
  if (!entry) {
    entry = {
      _id: version.eventId,
      personalId,
      source: version.source,
      eventType: version.eventType,
      effectiveAt: version.effectiveAt,
      recordedAt: version.recordedAt,
      ...(version.digest === undefined ? {} : { digest: version.digest }),
      changes: [],
    };
    history.set(version.eventId, entry);
  }
  return entry;
}

function changesOf(events: readonly SourceEvent[], replay: Replay, personalId: string): CitizenChange[] {
  const changes: CitizenChange[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    for (const { field } of effectsOf(event)) {
      const current = replay.current[field];
      const changeId = `${event.eventId}:${field}`;
      if (!current || current.eventId !== event.eventId || seen.has(changeId)) continue;
      seen.add(changeId);
      changes.push({
        changeId,
        personalId,
        field,
        value: current.value,
        previous: replay.previousOfCurrent.get(field) ?? null,
        source: current.source,
        eventId: current.eventId,
        eventType: current.eventType,
        effectiveAt: current.effectiveAt,
        recordedAt: current.recordedAt,
        authoritative: current.authoritative,
      });
    }
  }
  return changes;
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

function cloneVersions(versions: CitizenDocument['versions']): CitizenDocument['versions'] {
  const copy: CitizenDocument['versions'] = {};
  for (const [field, list] of Object.entries(versions) as [CitizenField, FieldVersion[]][]) copy[field] = [...list];
  return copy;
}
