import { describe, expect, it } from 'vitest';
import type { JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { RefusalFlood } from './refusal-flood.ts';

function memoryJournal() {
  const entries: JournalEntryInput[] = [];
  const journal: JournalWriter = { append: async (entry) => ({ sequence: entries.push(entry) }) } as JournalWriter;
  return { entries, journal };
}

const refused = (citizen: string, reason = 'CITIZEN_NOT_FOUND'): JournalEntryInput => ({
  act: 'exchange',
  action: 'Lookup',
  actor: { system: 'bank-ekyc', organisation: 'bank', officer: 'o-1' },
  citizens: [citizen],
  fields: ['fullName'],
  agreement: 'agr-1',
  decision: 'refused',
  reason,
});

describe('refusal flood control', () => {
  it('R35, R22: past its budget a certificate’s refusals become one aggregated entry, and each caller waits until it is durable', async () => {
    const { entries, journal } = memoryJournal();
    const flood = new RefusalFlood(journal, { perCertificate: 2, windowMs: 3_600_000, aggregateMs: 3_600_000, maxCalls: 5 });
    for (const citizen of ['001090000001', '001090000002']) await flood.append('AA:BB', refused(citizen));
    expect(entries).toHaveLength(2);
    let answered = 0;
    const waiting = ['001090000003', '001090000003', '001090000004', '001090000005'].map((citizen, n) =>
      flood.append('AA:BB', refused(citizen, n === 0 ? 'THROTTLED' : 'CITIZEN_NOT_FOUND')).then((receipt) => ((answered += 1), receipt)),
    );
    // Another certificate has a budget of its own.
    await flood.append('CC:DD', refused('001090000009'));
    expect(entries).toHaveLength(3);
    expect(answered).toBe(0);
    const last = flood.append('AA:BB', refused('001090000006'));
    const receipts = await Promise.all([...waiting, last]);
    expect(new Set(receipts.map((receipt) => receipt.sequence))).toEqual(new Set([4]));
    expect(entries[3]).toMatchObject({
      action: 'RefusedCalls',
      reason: 'REFUSAL_FLOOD',
      decision: 'refused',
      agreement: 'agr-1',
      actor: { system: 'bank-ekyc', organisation: 'bank' },
      citizens: ['001090000003', '001090000004', '001090000005', '001090000006'],
      detail: expect.stringMatching(/^5 refused calls .*Lookup×5; THROTTLED×1, CITIZEN_NOT_FOUND×4$/),
    });
  });

  it('R35: an aggregated entry names each citizen once and at most maxCitizens; stopping writes what is open', async () => {
    const { entries, journal } = memoryJournal();
    const flood = new RefusalFlood(journal, { perCertificate: 0, windowMs: 3_600_000, aggregateMs: 3_600_000, maxCitizens: 2 });
    const pending = ['001090000001', '001090000001', '001090000002', '001090000003'].map((citizen) =>
      flood.append('AA:BB', refused(citizen)),
    );
    await pending[2];
    expect(entries.map((entry) => entry.citizens)).toEqual([['001090000001', '001090000002']]);
    await flood.stop();
    await Promise.all(pending);
    expect(entries.map((entry) => entry.citizens)).toEqual([['001090000001', '001090000002'], ['001090000003']]);
    // Once stopped, refusals are journaled one by one.
    await flood.append('AA:BB', refused('001090000004'));
    expect(entries[2]).toMatchObject({ action: 'Lookup', citizens: ['001090000004'] });
  });
});
