// How a citizen document is laid out in `citizens`. The hub works on CitizenDocument (each field's
// current version with its full provenance); the store keeps the same facts in fewer elements:
//
//   { _id, revision, lastBatchId,
//     fields:     { fullName: "Nguyễn Văn An", dateOfBirth: "1990-04-12", … }   current values, plain
//     from:       { fullName: 0, dateOfBirth: 0, … }                             index into `events`
//     events:     [ { eventId, source, eventType, effectiveAt, recordedAt } ]    who said it, when
//     unofficial: [ "placeOfBirth" ] }                                           current versions from a
//                                                                                non-authoritative source
//
// One event usually sets several fields, so its provenance is stored once, not once per field.
// A write's cost grows with the number of elements in the document (on FerretDB steeply: a
// 20-field citizen with provenance per field costs about twice as much to replace; BENCHMARKS.md),
// and the values stay plain for anyone querying the store.
//
// Reading also accepts the previous layout (provenance inside each field), so a store written
// before is served while `dancu store migrate` converts it.
import type { SourceName } from '../../schemas/sources.ts';
import type { CitizenDocument, FieldVersion } from '../citizen/citizen-document.ts';
import type { CitizenField } from '../citizen/fields.ts';

export interface StoredProvenance {
  eventId: string;
  source: SourceName;
  eventType: string;
  effectiveAt: string;
  recordedAt: string;
}

export interface StoredCitizen {
  _id: string;
  revision: number;
  lastBatchId?: string;
  fields: Partial<Record<CitizenField, unknown>>;
  from: Partial<Record<CitizenField, number>>;
  events: StoredProvenance[];
  /** Fields whose current version came from a source not authoritative for them (absent when none). */
  unofficial?: CitizenField[];
}

/** The previous layout: each field a FieldVersion. */
type PerFieldCitizen = CitizenDocument;

export function encodeCitizen(doc: CitizenDocument): StoredCitizen {
  const fields: StoredCitizen['fields'] = {};
  const from: StoredCitizen['from'] = {};
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
  return {
    _id: doc._id,
    revision: doc.revision,
    ...(doc.lastBatchId === undefined ? {} : { lastBatchId: doc.lastBatchId }),
    fields,
    from,
    events,
    ...(unofficial.length > 0 ? { unofficial } : {}),
  };
}

export function decodeCitizen(stored: StoredCitizen | PerFieldCitizen): CitizenDocument {
  if (!isStoredLayout(stored)) return stored;
  const unofficial = new Set(stored.unofficial ?? []);
  const fields: CitizenDocument['fields'] = {};
  for (const [field, value] of Object.entries(stored.fields) as Array<[CitizenField, unknown]>) {
    const provenance = stored.events[stored.from[field] ?? -1];
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

/** Where a field's current value sits in a stored citizen, for a query or an index on it. */
export function storedValuePath(field: CitizenField): `fields.${CitizenField}` {
  return `fields.${field}`;
}

/** Whether a document is in today's layout (`dancu store migrate` converts the others). */
export function isStoredLayout(doc: object): doc is StoredCitizen {
  return 'events' in doc && 'from' in doc;
}
