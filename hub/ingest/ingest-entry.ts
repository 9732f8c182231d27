// The journal entry of one applied slice (R35: every connection and sharing is journaled, the
// sources' sharing into the population DB included): which source, where in its topic, whose
// records, and the outcome counts. No values.
import type { RawRecord } from '../../kafka/records.ts';
import { parsePersonalId } from '../../schemas/personal-id.ts';
import type { JournalEntryInput } from '../journal/journal-entry.ts';
import type { BatchOutcome } from './ingest-batch.ts';

export function ingestEntry(records: readonly RawRecord[], outcome: BatchOutcome): JournalEntryInput {
  const citizens = new Set<string>();
  for (const record of records) {
    const key = record.key?.toString('utf8');
    if (key !== undefined && parsePersonalId(key)) citizens.add(key);
  }
  const first = records[0];
  const last = records.at(-1);
  const where = first && last ? `${first.topic}[${first.partition}]@${first.offset}..${last.offset}` : 'no records';
  const rejected = Object.entries(outcome.rejected)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return {
    act: 'ingest',
    action: 'apply-batch',
    actor: { system: 'dancu-hub', ...(outcome.source ? { organisation: outcome.source } : {}) },
    citizens: [...citizens],
    fields: [],
    decision: 'done',
    detail: `${where}: received ${outcome.received}, applied ${outcome.applied}, duplicates ${outcome.duplicates}, rejected ${rejected || 0}, changes ${outcome.changes}`,
  };
}
