// The ingest use case, in slices of a partition's records:
//   check every record again (never trust the wire) → apply the accepted events of one or more
//   slices to the store together (events reusing an id for different content come back as
//   conflicts and are refused) → publish dead letters and changes → (the caller commits each
//   slice's offsets).
// Each step is idempotent, so a crash anywhere replays the batch to the same result.
// Every record is traced on its way through (see record-trace.ts).
import { type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { OutgoingRecord, RawRecord } from '../../kafka/records.ts';
import { CHANGES_TOPIC, DLQ_TOPIC, SOURCE_TOPIC_PATTERN } from '../../kafka/topics.ts';
import type { PlausibilityRules } from '../../schemas/plausibility.ts';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { isSourceName, type SourceName } from '../../schemas/sources.ts';
import type { CitizenChange } from '../../schemas/types.ts';
import { type RejectReason, type ValidateContext, validateEvent } from '../../schemas/validate-event.ts';
import { SPAN_ATTRIBUTES, withTraceContext } from '../../telemetry/trace-context.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { applyEvents, type EventVerdict } from './apply-events.ts';
import { deadLetterOf, deadLetterRecord, type Rejection } from './dead-letter.ts';
import { RecordTrace } from './record-trace.ts';
import type { WrittenCitizens } from './written-citizens.ts';

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
  cache?: WrittenCitizens;
  tracer?: Tracer;
  /** The plausibility rules (schemas/plausibility.ts); the defaults when absent. */
  plausibility?: PlausibilityRules;
}

/** A slice whose records were checked: what goes on to the store, what goes to the dead letters. */
export interface CheckedSlice {
  records: readonly RawRecord[];
  traces: readonly RecordTrace[];
  accepted: Array<{ event: SourceEvent; record: RawRecord; trace: RecordTrace }>;
  deadLetters: Array<{ record: OutgoingRecord; send: Span }>;
  rejected: Partial<Record<RejectReason, number>>;
}

/**
 * Checks every record of a slice again (never trust the wire). Pure CPU work, so a slice can be
 * checked while the store is busy with the slices before it (slice-group.ts).
 */
export function checkSlice(records: readonly RawRecord[], context: Pick<IngestContext, 'tracer' | 'plausibility'>): CheckedSlice {
  const tracer = context.tracer ?? trace.getTracer('dancu');
  const slice: CheckedSlice = {
    records,
    traces: records.map((record) => RecordTrace.begin(tracer, record)),
    accepted: [],
    deadLetters: [],
    rejected: {},
  };
  const now = new Date();
  try {
    records.forEach((record, index) => {
      const recordTrace = slice.traces[index]!;
      const verdict = recordTrace.check(() =>
        checkRecord(record, { now, ...(context.plausibility ? { plausibility: context.plausibility } : {}) }),
      );
      if ('event' in verdict) slice.accepted.push({ event: verdict.event, record, trace: recordTrace });
      else deadLetter(slice, record, recordTrace, verdict);
    });
  } catch (error) {
    for (const recordTrace of slice.traces) recordTrace.fail(error);
    throw error;
  }
  return slice;
}

/** Slices whose events are in the store: what is left to send before their offsets may be committed. */
export interface StoredSlices {
  slices: readonly CheckedSlice[];
  verdicts: ReadonlyMap<SourceEvent, EventVerdict>;
  /** The changes of each event id. */
  changesOf: ReadonlyMap<string, CitizenChange[]>;
}

/**
 * One store round for all the slices' events (a citizen met in several slices is written once).
 * Events reusing an id for different content join their slice's dead letters. On failure every
 * record's trace ends as failed.
 */
export async function storeSlices(slices: readonly CheckedSlice[], context: IngestContext): Promise<StoredSlices> {
  try {
    return await storeTraced(slices, context);
  } catch (error) {
    failTraces(slices, error);
    throw error;
  }
}

/**
 * Sends the stored slices' dead letters, then their changes (one send each), and ends their
 * records' traces. Returns each slice's own outcome, in order.
 */
export async function publishStored(stored: StoredSlices, context: Pick<IngestContext, 'publisher'>): Promise<BatchOutcome[]> {
  try {
    const outcomes = await publishTraced(stored, context.publisher);
    for (const slice of stored.slices) for (const recordTrace of slice.traces) recordTrace.end();
    return outcomes;
  } catch (error) {
    failTraces(stored.slices, error);
    throw error;
  }
}

function failTraces(slices: readonly CheckedSlice[], error: unknown): void {
  for (const slice of slices) for (const recordTrace of slice.traces) recordTrace.fail(error);
}

function deadLetter(slice: CheckedSlice, record: RawRecord, recordTrace: RecordTrace, rejection: Rejection): void {
  const send = recordTrace.send(DLQ_TOPIC, { [SPAN_ATTRIBUTES.reason]: rejection.reason });
  slice.deadLetters.push({ record: deadLetterRecord(deadLetterOf(record, rejection), send), send });
  slice.rejected[rejection.reason] = (slice.rejected[rejection.reason] ?? 0) + 1;
}

async function storeTraced(slices: readonly CheckedSlice[], context: IngestContext): Promise<StoredSlices> {
  const { store, cache } = context;
  const accepted = slices.flatMap((slice) => slice.accepted);
  const verdicts = new Map<SourceEvent, EventVerdict>();
  const changesOf = new Map<string, CitizenChange[]>();
  if (accepted.length === 0) return { slices, verdicts, changesOf };
  for (const { trace: recordTrace } of accepted) recordTrace.startStoreWrite(accepted.length);
  const outcome = await applyEvents(
    accepted.map(({ event }) => event),
    store,
    cache,
  );
  for (const slice of slices) {
    for (const { event, record, trace: recordTrace } of slice.accepted) {
      const verdict = outcome.verdicts.get(event) ?? 'duplicate';
      verdicts.set(event, verdict);
      recordTrace.endStoreWrite(verdict, outcome.attempts);
      if (verdict === 'conflict') deadLetter(slice, record, recordTrace, conflictOf(event));
    }
  }
  for (const change of outcome.changes) {
    const ofEvent = changesOf.get(change.eventId);
    if (ofEvent) ofEvent.push(change);
    else changesOf.set(change.eventId, [change]);
  }
  return { slices, verdicts, changesOf };
}

async function publishTraced({ slices, verdicts, changesOf }: StoredSlices, publisher: RecordPublisher): Promise<BatchOutcome[]> {
  const accepted = slices.flatMap((slice) => slice.accepted);
  await sendTraced(
    publisher,
    DLQ_TOPIC,
    slices.flatMap((slice) => slice.deadLetters),
  );
  // One send span per event that changed something, carried by each of its changes. Changes are
  // per event id: when several records carry it (an event applied from one slice and redelivered
  // in another), the applied copy's record carries them, else the first duplicate's (a
  // redelivery that finishes the work of a slice that crashed before its citizen write).
  const carrier = new Map<string, SourceEvent>();
  for (const { event } of accepted) {
    const verdict = verdicts.get(event);
    if (!changesOf.has(event.eventId) || verdict === 'conflict') continue;
    const current = carrier.get(event.eventId);
    if (!current || (verdict === 'applied' && verdicts.get(current) !== 'applied')) carrier.set(event.eventId, event);
  }
  const carriers = new Set(carrier.values());
  const changes = accepted
    .filter(({ event }) => carriers.has(event))
    .flatMap(({ event, trace: recordTrace }) => {
      const ofEvent = changesOf.get(event.eventId)!;
      const send = recordTrace.send(CHANGES_TOPIC, { [SPAN_ATTRIBUTES.changes]: ofEvent.length });
      return ofEvent.map((change) => ({
        record: { key: change.personalId, value: JSON.stringify(change), headers: withTraceContext({}, send) },
        send,
      }));
    });
  await sendTraced(publisher, CHANGES_TOPIC, changes);

  return slices.map((slice) => {
    const counts = { applied: 0, duplicates: 0, changes: 0 };
    for (const { event } of slice.accepted) {
      const verdict = verdicts.get(event);
      if (verdict === 'applied') counts.applied += 1;
      else if (verdict === 'duplicate') counts.duplicates += 1;
      if (carriers.has(event)) counts.changes += changesOf.get(event.eventId)!.length;
    }
    return { source: sourceOfTopic(slice.records[0]?.topic ?? ''), received: slice.records.length, ...counts, rejected: slice.rejected };
  });
}

/** Publishes the records, then ends their send spans (several records may share one span). */
async function sendTraced(
  publisher: RecordPublisher,
  topic: string,
  sends: ReadonlyArray<{ record: OutgoingRecord; send: Span }>,
): Promise<void> {
  const spans = new Set(sends.map(({ send }) => send));
  try {
    await publisher.publish(
      topic,
      sends.map(({ record }) => record),
    );
  } catch (error) {
    for (const span of spans)
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) }).end();
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
      detail:
        "the record has no key; the key must be the event's personal id, so that one citizen's events stay on one partition, in order",
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
