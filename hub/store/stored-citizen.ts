// How a citizen document is laid out in `citizens`. The hub works on CitizenDocument (each field's
// current version with its full provenance); the store keeps the same facts as
//
//   { _id, revision, lastBatchId,
//     phoneNumber: "+84…",                       the current phone number, for the SMS gateway's lookup
//     state: '{"fields":{…},"from":{…},"events":[…],"unofficial":[…]}' }   one JSON text:
//
//     fields      current values, plain: { fullName: "Nguyễn Văn An", dateOfBirth: "1990-04-12", … }
//     from        index into `events` per field: { fullName: 0, dateOfBirth: 0, … }
//     events      who said it, when: [ { eventId, source, eventType, effectiveAt, recordedAt } ]
//     unofficial  current versions from a source not authoritative for them: [ "placeOfBirth" ]
//
// One event usually sets several fields, so its provenance is stored once, not once per field.
//
// Why one JSON text instead of nested elements: the hub reads and writes a citizen whole, always
// by `_id`, and never queries a value inside it but the phone number (kept beside, with its
// index). On FerretDB every nested element costs on every read and every replace — its SQLite
// backend decodes and re-encodes each element with a type schema beside it (two thirds of a
// nested 7 KB citizen were schema) — so the same citizen as one text replaces 2.6 times and reads
// 2.4 times as fast (BENCHMARKS.md, "One JSON text per citizen"). MongoDB stores the text as a
// plain string. To look inside from a shell: `JSON.parse(db.citizens.findOne({_id}).state)`,
// or `dancu citizen show`.
//
// Reading also accepts the two layouts before (the same parts as nested elements, and provenance
// inside each field), so a store written before is served while `dancu store migrate` converts it.
import type { SourceName } from '../../schemas/sources.ts';
import type { CitizenDocument, FieldVersion } from '../citizen/citizen-document.ts';
import type { CitizenField } from '../citizen/fields.ts';
import { parseJsonText } from './json-text.ts';

export interface StoredProvenance {
  eventId: string;
  source: SourceName;
  eventType: string;
  effectiveAt: string;
  recordedAt: string;
}

/** What `state` holds. */
export interface CitizenState {
  fields: Partial<Record<CitizenField, unknown>>;
  from: Partial<Record<CitizenField, number>>;
  events: StoredProvenance[];
  /** Fields whose current version came from a source not authoritative for them (absent when none). */
  unofficial?: CitizenField[];
}

/** The fields kept beside `state` as top-level values under their own names, so a query (and an index) can reach them. */
export const SEARCHABLE_FIELDS = ['phoneNumber'] as const satisfies readonly CitizenField[];
export type SearchableField = (typeof SEARCHABLE_FIELDS)[number];

export interface StoredCitizen extends Partial<Record<SearchableField, string>> {
  _id: string;
  revision: number;
  lastBatchId?: string;
  /** CitizenState as JSON text. */
  state: string;
}

/** The layout before 2026-12-01: the state's parts as nested elements of the document. */
type ElementCitizen = Omit<StoredCitizen, 'state' | SearchableField> & CitizenState;

/** The first small layout: each field a FieldVersion. */
type PerFieldCitizen = CitizenDocument;

export function encodeCitizen(doc: CitizenDocument): StoredCitizen {
  const state = stateOf(doc);
  const searchable: Partial<Record<SearchableField, string>> = {};
  for (const field of SEARCHABLE_FIELDS) {
    const value = state.fields[field];
    if (typeof value === 'string') searchable[field] = value;
  }
  return {
    _id: doc._id,
    revision: doc.revision,
    ...(doc.lastBatchId === undefined ? {} : { lastBatchId: doc.lastBatchId }),
    ...searchable,
    state: JSON.stringify(state),
  };
}

function stateOf(doc: CitizenDocument): CitizenState {
  const fields: CitizenState['fields'] = {};
  const from: CitizenState['from'] = {};
  const events: StoredProvenance[] = [];
  const indexOf = new Map<string, number>();
  const unofficial: CitizenField[] = [];
  for (const [field, version] of Object.entries(doc.fields) as Array<[CitizenField, FieldVersion]>) {
    let index = indexOf.get(version.eventId);
    if (index === undefined) {
      index =
        events.push({
          eventId: version.eventId,
          source: version.source,
          eventType: version.eventType,
          effectiveAt: version.effectiveAt,
          recordedAt: version.recordedAt,
        }) - 1;
      indexOf.set(version.eventId, index);
    }
    fields[field] = version.value;
    from[field] = index;
    if (!version.authoritative) unofficial.push(field);
  }
  return { fields, from, events, ...(unofficial.length > 0 ? { unofficial } : {}) };
}

export function decodeCitizen(stored: StoredCitizen | ElementCitizen | PerFieldCitizen): CitizenDocument {
  let state: CitizenState;
  if (isStoredLayout(stored)) state = parseState(stored);
  else if ('events' in stored && 'from' in stored) state = stored;
  else return stored;
  const unofficial = new Set(state.unofficial ?? []);
  const fields: CitizenDocument['fields'] = {};
  for (const [field, value] of Object.entries(state.fields) as Array<[CitizenField, unknown]>) {
    const provenance = state.events[state.from[field] ?? -1];
    if (!provenance) throw new Error(`citizen ${stored._id}: field ${field} names no event in \`events\`; the document is damaged`);
    fields[field] = { value, ...provenance, authoritative: !unofficial.has(field) };
  }
  return {
    _id: stored._id,
    revision: stored.revision,
    ...(stored.lastBatchId === undefined ? {} : { lastBatchId: stored.lastBatchId }),
    fields,
  };
}

function parseState(stored: StoredCitizen): CitizenState {
  const parts = parseJsonText(stored.state, `citizen ${stored._id}: its \`state\``) as Partial<CitizenState> | null;
  if (
    typeof parts !== 'object' ||
    parts === null ||
    typeof parts.fields !== 'object' ||
    typeof parts.from !== 'object' ||
    !Array.isArray(parts.events)
  ) {
    throw new Error(`citizen ${stored._id}: its \`state\` lacks fields, from or events; the document is damaged`);
  }
  return parts as CitizenState;
}

/** Whether a document is in today's layout (`dancu store migrate` converts the others). */
export function isStoredLayout(doc: object): doc is StoredCitizen {
  return typeof (doc as { state?: unknown }).state === 'string';
}
