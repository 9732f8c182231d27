// How a history record is laid out in `history`: as HistoryRecord says, except that what the event
// stated (`stated`, one element per field) is kept as one JSON text,
//
//   { _id: <event id>, personalId, source, eventType, effectiveAt, recordedAt, digest, acceptedAt,
//     stated: '[{"field":"fullName","value":"Nguyễn Văn An","authoritative":true}, …]' }
//
// for the reason stored-citizen.ts gives: a record is always read whole (by event id, or by
// personal id through the `by_citizen_time` index, which names only top-level fields), and on
// FerretDB every nested element costs on each insert and read. Records written before, with
// `stated` as an array, are read as they are; no migration is needed.
import type { HistoryRecord, StatedValue } from '../citizen/citizen-document.ts';
import { parseJsonText } from './json-text.ts';

export interface StoredHistoryRecord extends Omit<HistoryRecord, 'stated'> {
  /** StatedValue[] as JSON text (an array in records written before 2026-12-01). */
  stated: string | StatedValue[];
}

export function encodeHistoryRecord(record: HistoryRecord): StoredHistoryRecord {
  return { ...record, stated: JSON.stringify(record.stated) };
}

export function decodeHistoryRecord(stored: StoredHistoryRecord): HistoryRecord {
  if (Array.isArray(stored.stated)) return stored as HistoryRecord;
  const stated = parseJsonText(stored.stated, `history record ${stored._id}: its \`stated\``);
  if (!Array.isArray(stated)) throw new Error(`history record ${stored._id}: its \`stated\` is not a list; the record is damaged`);
  return { ...stored, stated: stated as StatedValue[] };
}
