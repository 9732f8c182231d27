// The hash chain that makes the journal tamper-evident (R35). Each entry's hash covers its
// canonical form — RFC 8785 JSON of every stored field except `hash`, dates as ISO strings — and
// that form includes `_id` and `previousHash`, so an entry cannot be edited, moved or unlinked
// without its hash (or the next entry's link) failing.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JournalEntry } from './journal-entry.ts';

/** The `previousHash` of the first entry ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry before its hash is known. */
export type UnhashedEntry = Omit<JournalEntry, 'hash'>;

/**
 * The bytes an entry's hash is taken over. Dates become ISO strings (canonicalize honours
 * `Date.toJSON`), absent and `undefined` fields are the same thing (the journal never stores
 * `undefined`, see withoutUndefined), and key order does not matter (the store may reorder keys).
 */
export function canonicalEntry(entry: UnhashedEntry | JournalEntry): string {
  const { hash: _ignored, ...rest } = entry as JournalEntry;
  const text = canonicalize(rest);
  if (text === undefined) throw new TypeError('a journal entry must be a JSON object');
  return text;
}

/** Hex SHA-256 over the canonical form. */
export function entryHash(entry: UnhashedEntry | JournalEntry): string {
  return createHash('sha256').update(canonicalEntry(entry), 'utf8').digest('hex');
}

/** Gives an entry its hash. */
export function sealEntry(entry: UnhashedEntry): JournalEntry {
  return { ...entry, hash: entryHash(entry) };
}

/**
 * Drops `undefined` fields (deeply), keeping dates as dates. The driver would store them as
 * null, and a null field hashes differently from an absent one.
 */
export function withoutUndefined<T>(value: T): T {
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = withoutUndefined(field);
  return out as T;
}
