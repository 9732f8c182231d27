// The dashboard's journal search: the query string checked into a JournalQuery (a mistake is a
// 400 with a sentence, not an empty list), and each entry shown without anything personal: the
// other citizens of an ingest slice are counted, not named, and free text loses quoted values.
// A well-formed trace id is kept, for the dashboard's trace view.

import type { Db } from 'mongodb';
import { DancuError } from '../../errors/dancu-error.ts';
import { placeOf } from '../journal/journal-chain.ts';
import type { JournalEntry } from '../journal/journal-entry.ts';
import { type JournalQuery, queryJournal } from '../journal/query-journal.ts';
import { redactValues } from './redact-values.ts';

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 200;
const PARAMETERS = ['citizen', 'system', 'since', 'until', 'limit'];

/** A search the dashboard refuses, with the sentence to show the operator. */
export class InvalidSearch extends DancuError<'search-invalid'> {
  override readonly name = 'InvalidSearch';
  readonly code = 'search-invalid';
  readonly retryable = false;
}

export interface JournalEntryView {
  /** The entry's chain (the hub instance that wrote it) and its place there. */
  chain: string;
  sequence: number;
  at: string;
  act: string;
  action: string;
  system: string | null;
  organisation: string | null;
  agreement: string | null;
  purpose: string | null;
  decision: string;
  reason: string | null;
  /** Field names only. */
  fields: string[];
  /** How many citizens the act touched. */
  citizens: number;
  detail: string | null;
  /** The call's trace, which the dashboard's trace view draws (`/api/traces/<id>`); null without one. */
  traceId: string | null;
}

export function parseJournalSearch(params: URLSearchParams): JournalQuery {
  for (const name of params.keys()) {
    if (!PARAMETERS.includes(name))
      throw new InvalidSearch(`unknown search parameter ${JSON.stringify(name)}: use ${PARAMETERS.join(', ')}`);
  }
  const query: JournalQuery = { limit: DEFAULT_SEARCH_LIMIT };
  const citizen = given(params, 'citizen');
  if (citizen !== undefined) {
    if (!/^\d{12}$/.test(citizen)) throw new InvalidSearch('citizen must be a personal id of exactly 12 digits');
    query.citizen = citizen;
  }
  const system = given(params, 'system');
  if (system !== undefined) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
    if (system.length > 200 || /[\u0000-\u001f]/.test(system))
      throw new InvalidSearch('system must be a connected system name of at most 200 characters');
    query.system = system;
  }
  const since = time(params, 'since');
  const until = time(params, 'until');
  if (since && until && since >= until) throw new InvalidSearch('since must be before until');
  if (since) query.since = since;
  if (until) query.until = until;
  const limit = given(params, 'limit');
  if (limit !== undefined) {
    const parsed = Number(limit);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_SEARCH_LIMIT)
      throw new InvalidSearch(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
    query.limit = parsed;
  }
  return query;
}

export function journalEntryView(entry: JournalEntry): JournalEntryView {
  const traceId = entry.traceId && /^[0-9a-f]{32}$/.test(entry.traceId) ? entry.traceId : null;
  return {
    ...placeOf(entry),
    at: entry.at.toISOString(),
    act: entry.act,
    action: entry.action,
    system: entry.actor.system ?? null,
    organisation: entry.actor.organisation ?? null,
    agreement: entry.agreement ?? null,
    purpose: entry.purpose ?? null,
    decision: entry.decision,
    reason: entry.reason ?? null,
    fields: entry.fields,
    citizens: entry.citizens.length,
    detail: entry.detail === undefined ? null : redactValues(entry.detail),
    traceId,
  };
}

export async function searchJournal(db: Db, params: URLSearchParams): Promise<JournalEntryView[]> {
  const entries = await queryJournal(db, parseJournalSearch(params));
  return entries.map((entry) => journalEntryView(entry));
}

function given(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value ? value : undefined;
}

function time(params: URLSearchParams, name: 'since' | 'until'): Date | undefined {
  const value = given(params, name);
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime()))
    throw new InvalidSearch(`${name} must be a time such as 2025-01-31T08:00:00Z, not ${JSON.stringify(value.slice(0, 40))}`);
  return parsed;
}
