import { describe, expect, it } from 'vitest';
import type { JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { journalOperatorRead, OperatorReadRefused } from './operator-read.ts';

function memoryJournal() {
  const entries: JournalEntryInput[] = [];
  const journal: JournalWriter = { append: async (entry) => (entries.push(entry), { chain: 'hub', sequence: entries.length, hash: 'h' }) };
  return { journal, entries };
}

const read = { action: 'dlq-show', citizens: ['001090000001'], fields: [], detail: 'dead letter 0:3: source asked' };

describe('an operator reading personal data outside the exchange', () => {
  it('R35: a registered officer’s read is journaled before it is answered; anyone else is refused, and that is journaled too', async () => {
    const { journal, entries } = memoryJournal();
    const officers = async () => [{ _id: 'c06-head' }];
    await expect(journalOperatorRead({ journal, officers }, { ...read, operator: 'someone' })).rejects.toBeInstanceOf(OperatorReadRefused);
    expect(await journalOperatorRead({ journal, officers }, { ...read, operator: 'c06-head' })).toEqual({ sequence: 2, hash: 'h' });
    expect(entries.map((entry) => [entry.act, entry.actor.officer, entry.decision, entry.reason])).toEqual([
      ['operator-read', 'someone', 'refused', 'NOT_AN_OPERATOR'],
      ['operator-read', 'c06-head', 'done', undefined],
    ]);
    expect(entries[1]!.citizens).toEqual(['001090000001']);
  });
});
