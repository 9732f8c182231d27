import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../journal/journal-entry.ts';
import { InvalidSearch, journalEntryView, parseJournalSearch } from './journal-search.ts';

const search = (query: string) => parseJournalSearch(new URLSearchParams(query));

describe("the dashboard's journal search", () => {
  it('refuses a personal id that is not 12 digits, a time it cannot read, an empty range and unknown parameters, each with a sentence', () => {
    expect(() => search('citizen=12345')).toThrow(new InvalidSearch('citizen must be a personal id of exactly 12 digits'));
    expect(() => search('citizen=00109901234x')).toThrow(InvalidSearch);
    expect(() => search('since=yesterday')).toThrow(/since must be a time such as/);
    expect(() => search('since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z')).toThrow('since must be before until');
    expect(() => search('limit=5000')).toThrow(/limit must be a whole number from 1 to 200/);
    expect(() => search('personalId=001099012345')).toThrow(/unknown search parameter "personalId"/);
    expect(search('citizen=001099012345&system=+moh-his+&since=2025-01-01T00:00:00Z')).toEqual({
      citizen: '001099012345',
      system: 'moh-his',
      since: new Date('2025-01-01T00:00:00Z'),
      limit: 50,
    });
  });

  it('R35: an entry keeps its trace id only when well-formed, and counts its citizens instead of naming them', () => {
    const entry: JournalEntry = {
      _id: 7,
      at: new Date('2025-01-01T00:00:00Z'),
      act: 'exchange',
      action: 'Lookup',
      actor: { system: 'moh-his' },
      citizens: ['001099012345', '001099012346'],
      fields: ['fullName'],
      decision: 'refused',
      reason: 'FIELD_NOT_GRANTED',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      expiresAt: new Date(),
      writer: 'w',
      previousHash: '',
      hash: '',
    };
    const view = journalEntryView(entry);
    expect(view).toMatchObject({ sequence: 7, citizens: 2, traceId: '0af7651916cd43dd8448eb211c80319c' });
    expect(JSON.stringify(view)).not.toContain('001099012345');
    expect(journalEntryView({ ...entry, traceId: 'not-a-trace' }).traceId).toBeNull();
  });
});
