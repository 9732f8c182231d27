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
  it('R35, R17: an authenticated officer’s read is journaled, naming the certificate’s officer, before it is answered; anyone else is refused, and that is journaled too', async () => {
    const { journal, entries } = memoryJournal();
    const refused = async () => {
      throw new Error('no operator certificate');
    };
    await expect(journalOperatorRead({ journal, authenticate: refused }, { ...read, operator: 'someone' })).rejects.toBeInstanceOf(
      OperatorReadRefused,
    );
    // The claim (the flag) is not who the journal names: the certificate's officer is.
    expect(
      await journalOperatorRead({ journal, authenticate: async () => 'c06-head' }, { ...read, operator: 'whoever-the-flag-said' }),
    ).toEqual({ chain: 'hub', sequence: 2, hash: 'h' });
    expect(entries.map((entry) => [entry.act, entry.actor.officer, entry.decision, entry.reason])).toEqual([
      ['operator-read', 'someone', 'refused', 'NOT_AN_OPERATOR'],
      ['operator-read', 'c06-head', 'done', undefined],
    ]);
    expect(entries[0]!.detail).toContain('no operator certificate');
    expect(entries[1]!.citizens).toEqual(['001090000001']);
  });
});
