// The hub's part of a record's trace. Per received record:
//
//   process <source topic>      consumer span, child of the connector's send (from `traceparent`)
//   ├── hub.validate            the checks again; the reject reason when it fails
//   ├── store.write             the batch write this record's event went into
//   └── send dancu.changes.v1   or send dancu.dlq.v1: its context is the outgoing `traceparent`
//
// The store writes a whole slice (up to 500 records) in one read-merge-write round, not one
// record at a time. Each traced record still gets a `store.write` span of its own, spanning that
// shared write, with the batch size on it: Jaeger then shows the write inside every update's
// trace, and the spans of one slice line up on the same time range. (Span links from one batch
// span would keep the batch in a trace of its own, which Jaeger shows only as a reference.)
import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { RawRecord } from '../../kafka/records.ts';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { SPAN_ATTRIBUTES, startProcessSpan, startSendSpan } from '../../telemetry/trace-context.ts';
import type { Rejection } from './dead-letter.ts';

/** `conflict`: an event reusing an id the store holds for different content (dead-lettered). */
export type HubOutcome = 'applied' | 'duplicate' | 'conflict' | 'rejected';

export class RecordTrace {
  private readonly context: Context;
  private storeWrite: Span | undefined;

  private constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
  ) {
    this.context = trace.setSpan(ROOT_CONTEXT, span);
  }

  static begin(tracer: Tracer, record: RawRecord): RecordTrace {
    return new RecordTrace(tracer, startProcessSpan(tracer, record));
  }

  /** Runs the record's checks under a `hub.validate` span and notes what they found. */
  check<T extends { event: SourceEvent } | Rejection>(run: () => T): T {
    const span = this.tracer.startSpan('hub.validate', {}, this.context);
    const verdict = run();
    if ('event' in verdict) {
      const described = describe(verdict.event);
      span.setAttributes(described);
      this.span.setAttributes(described);
    } else {
      span.setAttribute(SPAN_ATTRIBUTES.reason, verdict.reason).setStatus({ code: SpanStatusCode.ERROR, message: verdict.reason });
      this.span.setAttributes({ [SPAN_ATTRIBUTES.outcome]: 'rejected', [SPAN_ATTRIBUTES.reason]: verdict.reason });
    }
    span.end();
    return verdict;
  }

  /** Opens this record's `store.write` span around the write of a batch of `batchEvents` events. */
  startStoreWrite(batchEvents: number): void {
    this.storeWrite = this.tracer.startSpan(
      'store.write',
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'mongodb', [SPAN_ATTRIBUTES.batchEvents]: batchEvents } },
      this.context,
    );
  }

  endStoreWrite(outcome: Exclude<HubOutcome, 'rejected'>, attempts: number): void {
    this.storeWrite?.setAttributes({ [SPAN_ATTRIBUTES.outcome]: outcome, 'dancu.store.attempts': attempts }).end();
    this.storeWrite = undefined;
    this.span.setAttribute(SPAN_ATTRIBUTES.outcome, outcome);
  }

  /** A producer span for what this record causes on `topic` (changes, or its dead letter). */
  send(topic: string, attributes: Attributes = {}): Span {
    return startSendSpan(this.tracer, topic, this.context, attributes);
  }

  end(): void {
    this.span.end();
  }

  /** The batch failed and will be replayed: whatever is still open ends as an error. */
  fail(error: unknown): void {
    const status = { code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) };
    this.storeWrite?.setStatus(status).end();
    this.storeWrite = undefined;
    this.span.setStatus(status).end();
  }
}

function describe(event: SourceEvent): Attributes {
  return { [SPAN_ATTRIBUTES.source]: event.source, [SPAN_ATTRIBUTES.eventType]: event.type, [SPAN_ATTRIBUTES.eventId]: event.eventId };
}
