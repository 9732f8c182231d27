// The ingest use case, one Kafka batch at a time:
//   check every record again (never trust the wire) → apply the accepted events to the store
//   (events reusing an id for different content come back as conflicts and are refused)
//   → publish dead letters and changes → (the caller commits the offsets).
// Each step is idempotent, so a crash anywhere replays the batch to the same result.
// Every record is traced on its way through (see record-trace.ts).
import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES, withTraceContext } from '../../kafka/trace-context.ts';
import { CHANGES_TOPIC, DLQ_TOPIC, SOURCE_TOPIC_PATTERN, isSourceName, type SourceName } from '../../kafka/topics.ts';
import type { OutgoingRecord, RawRecord, RecordPublisher } from '../../kafka/transport.ts';
import type { SourceEvent } from '../../schemas/source-event.ts';
import type { CitizenChange } from '../citizen/merge.ts';
import type { PlausibilityRules } from '../../schemas/plausibility.ts';
import { validateEvent, type RejectReason, type ValidateContext } from '../../schemas/validate-event.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { applyEvents, type ApplyOutcome } from './apply-events.ts';
import { RecordTrace } from './record-trace.ts';
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

export interface IngestContext {
  store: PopulationStore;
  publisher: RecordPublisher;
  cache?: CitizenCache;
  tracer?: Tracer;
  /** The plausibility rules (schemas/plausibility.ts); the defaults when absent. */
  plausibility?: PlausibilityRules;
}

export async function ingestBatch(records: readonly RawRecord[], context: IngestContext): Promise<BatchOutcome> {
  const tracer = context.tracer ?? trace.getTracer('dancu');
  const traces = records.map((record) => RecordTrace.begin(tracer, record));
  try {
    const outcome = await ingestTraced(records, traces, context);
    for (const recordTrace of traces) recordTrace.end();
    return outcome;
  } catch (error) {
    for (const recordTrace of traces) recordTrace.fail(error);
    throw error;
  }
}

async function ingestTraced(records: readonly RawRecord[], traces: readonly RecordTrace[], context: IngestContext): Promise<BatchOutcome> {
  const { store, publisher, cache } = context;
  const accepted: Array<{ event: SourceEvent; record: RawRecord; trace: RecordTrace }> = [];
  const deadLetters: Array<{ record: OutgoingRecord; send: Span }> = [];
  const rejected: Partial<Record<RejectReason, number>> = {};
  const deadLetter = (record: RawRecord, recordTrace: RecordTrace, rejection: Rejection) => {
    const send = recordTrace.send(DLQ_TOPIC, { [SPAN_ATTRIBUTES.reason]: rejection.reason });
    deadLetters.push({ record: deadLetterRecord(deadLetterOf(record, rejection), send), send });
    rejected[rejection.reason] = (rejected[rejection.reason] ?? 0) + 1;
  };
  const now = new Date();
  records.forEach((record, index) => {
    const recordTrace = traces[index]!;
    const verdict = recordTrace.check(() => checkRecord(record, { now, ...(context.plausibility ? { plausibility: context.plausibility } : {}) }));
    if ('event' in verdict) accepted.push({ event: verdict.event, record, trace: recordTrace });
    else deadLetter(record, recordTrace, verdict);
  });

  let applied: Omit<ApplyOutcome, 'appliedEventIds' | 'attempts'> = { applied: 0, duplicates: 0, conflicts: [], changes: [] };
  if (accepted.length > 0) {
    for (const { trace: recordTrace } of accepted) recordTrace.startStoreWrite(accepted.length);
    const outcome = await applyEvents(accepted.map(({ event }) => event), store, cache);
    const conflicting = new Set(outcome.conflicts);
    for (const { event, record, trace: recordTrace } of accepted) {
      if (conflicting.has(event)) {
        recordTrace.endStoreWrite('conflict', outcome.attempts);
        deadLetter(record, recordTrace, conflictOf(event));
      } else {
        recordTrace.endStoreWrite(outcome.appliedEventIds.has(event.eventId) ? 'applied' : 'duplicate', outcome.attempts);
      }
    }
    applied = outcome;
  }

  await sendTraced(publisher, DLQ_TOPIC, deadLetters);
  // One send span per event that changed something, carried by each of its changes.
  const traceOf = new Map(accepted.map(({ event, trace: recordTrace }) => [event.eventId, recordTrace]));
  const changesOf = new Map<string, CitizenChange[]>();
  for (const change of applied.changes) {
    const ofEvent = changesOf.get(change.eventId);
    if (ofEvent) ofEvent.push(change);
    else changesOf.set(change.eventId, [change]);
  }
  const changes = [...changesOf].flatMap(([eventId, ofEvent]) => {
    const send = traceOf.get(eventId)!.send(CHANGES_TOPIC, { [SPAN_ATTRIBUTES.changes]: ofEvent.length });
    return ofEvent.map((change) => ({
      record: { key: change.personalId, value: JSON.stringify(change), headers: withTraceContext({}, send) },
      send,
    }));
  });
  await sendTraced(publisher, CHANGES_TOPIC, changes);
  return {
    source: sourceOfTopic(records[0]?.topic ?? ''),
    received: records.length,
    applied: applied.applied,
    duplicates: applied.duplicates,
    rejected,
    changes: applied.changes.length,
  };
}

/** Publishes the records, then ends their send spans (several records may share one span). */
async function sendTraced(publisher: RecordPublisher, topic: string, sends: ReadonlyArray<{ record: OutgoingRecord; send: Span }>): Promise<void> {
  const spans = new Set(sends.map(({ send }) => send));
  try {
    await publisher.publish(topic, sends.map(({ record }) => record));
  } catch (error) {
    for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) }).end();
    throw error;
  }
  for (const span of spans) span.end();
}

function checkRecord(record: RawRecord, context: Omit<ValidateContext, 'topicSource'>): { event: SourceEvent } | Rejection {
  const topicSource = sourceOfTopic(record.topic);
  if (!topicSource) return { reason: 'unknown-source', detail: `topic ${record.topic} is not a dancu source topic` };
  if (!record.value || record.value.length === 0) return { reason: 'malformed-json', detail: 'the record has no value' };
  if (!record.key || record.key.length === 0) {
    return {
      reason: 'missing-key',
      detail: "the record has no key; the key must be the event's personal id, so that one citizen's events stay on one partition, in order",
    };
  }
  const verdict = validateEvent(record.value, { topicSource, ...context });
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

function conflictOf(event: SourceEvent): Rejection {
  return {
    reason: 'conflict',
    detail:
      `event id ${event.eventId} was accepted before with different content; the version accepted first stands. ` +
      'An event id names one event for ever: publish a correction as a new event with an id of its own',
    path: '/eventId',
  };
}

function sourceOfTopic(topic: string): SourceName | null {
  const name = SOURCE_TOPIC_PATTERN.exec(topic)?.[1];
  return name && isSourceName(name) ? name : null;
}
