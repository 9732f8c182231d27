// Journal entries for the journal tests: a consumer's Lookup, refused every fifth time.
import type { JournalEntryInput } from '../hub/journal/journal-entry.ts';

export function lookup(index: number, extra: Partial<JournalEntryInput> = {}): JournalEntryInput {
  return {
    act: 'exchange',
    action: 'Lookup',
    actor: { system: `CN=system-${index % 3}`, organisation: 'BHXH' },
    citizens: [`0010900${String(index).padStart(5, '0')}`],
    fields: ['fullName', 'dateOfBirth'],
    agreement: `agr-${index % 2}`,
    purpose: 'social-insurance',
    decision: index % 5 === 0 ? 'refused' : 'allowed',
    ...(index % 5 === 0 ? { reason: 'FIELD_NOT_GRANTED' } : {}),
    traceId: index.toString(16).padStart(32, '0'),
    ...extra,
  };
}
