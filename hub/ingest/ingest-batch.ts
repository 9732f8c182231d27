// The ingest use case, one Kafka batch at a time:
//   check every record again (never trust the wire) → apply the accepted events to the store
//   → publish dead letters and changes → (the caller commits the offsets).
// Each step is idempotent, so a crash anywhere replays the batch to the same result.
import { CHANGES_TOPIC, DLQ_TOPIC, HEADERS, SOURCE_TOPIC_PATTERN, isSourceName, type SourceName } from '../../kafka/topics.ts';
import type { RawRecord, RecordPublisher } from '../../kafka/transport.ts';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { validateEvent, type RejectReason } from '../../schemas/validate-event.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { applyEvents } from './apply-events.ts';
import { traced } from './traced.ts';
import type { CitizenCache } from './citizen-cache.ts';
import { deadLetterOf, deadLetterRecord, type Rejection } from './dead-letter.ts';

export interface BatchOutcome {
  source: SourceName | null;
  received: number;
  applied: number;
  duplicates: number;
  rejected: Partial<Record<RejectReason, number>>;
  changes: number;
}

export async function ingestBatch(
  records: readonly RawRecord[],
  store: PopulationStore,
  publisher: RecordPublisher,
  cache?: CitizenCache,
): Promise<BatchOutcome> {
  const accepted: SourceEvent[] = [];
  const traceOf = new Map<string, string | undefined>();
  const deadLetters = [];
  const rejected: Partial<Record<RejectReason, number>> = {};
  for (const record of records) {
    const verdict = checkRecord(record);
    if ('event' in verdict) {
      accepted.push(verdict.event);
      traceOf.set(verdict.event.eventId, record.headers[HEADERS.traceparent]);
    } else {
      deadLetters.push(deadLetterRecord(deadLetterOf(record, verdict)));
      rejected[verdict.reason] = (rejected[verdict.reason] ?? 0) + 1;
    }
  }

  const applied = accepted.length > 0 ? await applyEvents(accepted, store, cache) : { applied: 0, duplicates: 0, changes: [] };
  await publisher.publish(DLQ_TOPIC, deadLetters);
  await publisher.publish(
    CHANGES_TOPIC,
    applied.changes.map((change) => ({
      key: change.personalId,
      value: JSON.stringify(change),
      headers: traced({}, traceOf.get(change.eventId)),
    })),
  );
  return {
    source: sourceOfTopic(records[0]?.topic ?? ''),
    received: records.length,
    applied: applied.applied,
    duplicates: applied.duplicates,
    rejected,
    changes: applied.changes.length,
  };
}

function checkRecord(record: RawRecord): { event: SourceEvent } | Rejection {
  const topicSource = sourceOfTopic(record.topic);
  if (!topicSource) return { reason: 'unknown-source', detail: `topic ${record.topic} is not a dancu source topic` };
  if (!record.value || record.value.length === 0) return { reason: 'malformed-json', detail: 'the record has no value' };
  const verdict = validateEvent(record.value, { topicSource });
  if (!verdict.ok) return { reason: verdict.reason, detail: verdict.detail, ...(verdict.path ? { path: verdict.path } : {}) };
  const key = record.key?.toString('utf8');
  if (key !== undefined && key !== verdict.event.personalId) {
    return {
      reason: 'id-inconsistent',
      detail: `the record key ${JSON.stringify(key)} is not the event's personal id; the key must be the personal id so one citizen's events stay in order`,
      path: '/personalId',
    };
  }
  return { event: verdict.event };
}

function sourceOfTopic(topic: string): SourceName | null {
  const name = SOURCE_TOPIC_PATTERN.exec(topic)?.[1];
  return name && isSourceName(name) ? name : null;
}
