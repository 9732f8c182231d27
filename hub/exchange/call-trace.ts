// The trace of one gRPC call: a server span (parent: the caller's `traceparent` metadata, if any)
// and a child span per step — authentication and enforcement, the store read, the journal write.
// Tracers are handed in explicitly (telemetry/tracing.ts registers no global provider), so the
// parent context travels here rather than in async-local storage. Attributes name services,
// agreements, purposes and decisions — never personal ids or values.
import { type Context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { extractTraceContext } from '../../telemetry/trace-context.ts';

export const CALL_ATTRIBUTES = {
  rpcSystem: 'rpc.system',
  rpcService: 'rpc.service',
  rpcMethod: 'rpc.method',
  agreement: 'dancu.agreement',
  purpose: 'dancu.purpose',
  system: 'dancu.system',
  decision: 'dancu.decision',
  reason: 'dancu.reason',
  fields: 'dancu.fields',
} as const;

export class CallTrace {
  private constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
    private readonly context: Context,
  ) {}

  static start(tracer: Tracer, service: string, method: string, traceparent: string | undefined): CallTrace {
    const parent = extractTraceContext({ traceparent: traceparent ?? '' });
    const span = tracer.startSpan(
      `${service}/${method}`,
      {
        kind: SpanKind.SERVER,
        attributes: { [CALL_ATTRIBUTES.rpcSystem]: 'grpc', [CALL_ATTRIBUTES.rpcService]: service, [CALL_ATTRIBUTES.rpcMethod]: method },
      },
      parent,
    );
    return new CallTrace(tracer, span, trace.setSpan(parent, span));
  }

  /** The trace id, when the span has a valid one (tracing is not disabled). */
  get traceId(): string | undefined {
    const context = this.span.spanContext();
    return trace.isSpanContextValid(context) ? context.traceId : undefined;
  }

  /** Runs one step of the call as a child span. */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(name, {}, this.context);
    try {
      return await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Ends the call's span with its decision (and refusal reason). */
  end(decision: 'allowed' | 'refused', reason: string | undefined, attributes: Record<string, string | number>): void {
    this.span.setAttributes({
      ...attributes,
      [CALL_ATTRIBUTES.decision]: decision,
      ...(reason ? { [CALL_ATTRIBUTES.reason]: reason } : {}),
    });
    if (decision === 'refused') this.span.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? 'refused' });
    this.span.end();
  }
}
