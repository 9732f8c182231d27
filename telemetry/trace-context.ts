// W3C Trace Context (https://www.w3.org/TR/trace-context/) on Kafka records and gRPC calls alike: the `traceparent`
// header ties a source record, its dead letter and the changes it caused into one trace.
// It is part of the public Kafka contract, so it is always written and read with the W3C
// propagator itself, whatever OTEL_PROPAGATORS says; the propagator also ignores a malformed
// header from the wire instead of trusting it.
//
// Also here: the span names and attributes of a Kafka hop, so the connector and the hub describe
// their sends and receives alike. Keys follow OpenTelemetry's messaging conventions; the record key
// is the citizen's personal id and is never put on a span.
import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, type SpanOptions, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HEADERS } from '../kafka/topics.ts';

const propagator = new W3CTraceContextPropagator();

const headerSetter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};

const headerGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** `headers` plus the `traceparent` of `span` (nothing is added for a span with no valid trace, e.g. tracing disabled). */
export function withTraceContext(headers: Record<string, string>, span: Span): Record<string, string> {
  const carrier = { ...headers };
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, headerSetter);
  return carrier;
}

/** The trace a received record belongs to: its valid `traceparent`, else a new trace (the root context). */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagator.extract(ROOT_CONTEXT, { [HEADERS.traceparent]: headers[HEADERS.traceparent] ?? '' }, headerGetter);
}

/** The trace id in a `traceparent` value, if it is a valid one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const context = extractTraceContext({ [HEADERS.traceparent]: traceparent ?? '' });
  return trace.getSpanContext(context)?.traceId;
}

/** Attribute keys on dancu spans. Values are never personal data: no names, no personal ids. */
export const SPAN_ATTRIBUTES = {
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  offset: 'messaging.kafka.offset',
  operationType: 'messaging.operation.type',
  messageCount: 'messaging.batch.message_count',
  source: 'dancu.source',
  eventType: 'dancu.event_type',
  eventId: 'dancu.event_id',
  /** accepted | rejected at the connector; applied | duplicate | rejected at the hub. */
  outcome: 'dancu.outcome',
  /** A machine-readable reject reason (e.g. schema-violation), never the offending value. */
  reason: 'dancu.reason',
  changes: 'dancu.changes',
  batchEvents: 'dancu.batch.events',
} as const;

/** A producer span for records going to `topic`; end it once Kafka acknowledged them. */
export function startSendSpan(tracer: Tracer, topic: string, parent: Context, attributes: Attributes = {}): Span {
  return tracer.startSpan(`send ${topic}`, kafkaSpanOptions(SpanKind.PRODUCER, 'send', topic, attributes), parent);
}

/** A consumer span for one received record, continuing the trace its producer started. */
export function startProcessSpan(
  tracer: Tracer,
  record: { topic: string; partition: number; offset: string; headers: Record<string, string> },
  attributes: Attributes = {},
): Span {
  const options = kafkaSpanOptions(SpanKind.CONSUMER, 'process', record.topic, {
    [SPAN_ATTRIBUTES.partition]: String(record.partition),
    [SPAN_ATTRIBUTES.offset]: Number(record.offset),
    ...attributes,
  });
  return tracer.startSpan(`process ${record.topic}`, options, extractTraceContext(record.headers));
}

function kafkaSpanOptions(kind: SpanKind, operation: 'send' | 'process', topic: string, attributes: Attributes): SpanOptions {
  return {
    kind,
    attributes: {
      [SPAN_ATTRIBUTES.messagingSystem]: 'kafka',
      [SPAN_ATTRIBUTES.destination]: topic,
      [SPAN_ATTRIBUTES.operationType]: operation,
      ...attributes,
    },
  };
}
