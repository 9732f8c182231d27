import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { extractTraceContext, startProcessSpan, traceIdOf, withTraceContext } from './trace-context.ts';

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const record = (traceparent?: string) => ({
  topic: 'dancu.source.residence.v1',
  partition: 0,
  offset: '7',
  headers: (traceparent === undefined ? {} : { traceparent }) as Record<string, string>,
});

describe('W3C traceparent on Kafka records', () => {
  it('a received record continues the trace named by its traceparent, and passes it on', () => {
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = startProcessSpan(tracer, record(VALID));
    const header = withTraceContext({ other: 'kept' }, span);
    expect(header.other).toBe('kept');
    expect(traceIdOf(header.traceparent)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(header.traceparent).not.toBe(VALID); // the hub's own span is the new parent
  });

  it('drops malformed or all-zero contexts a foreign producer might send, starting a new trace', () => {
    for (const bad of [
      undefined,
      '00-abc-def-01',
      `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`,
      `00-${'A'.repeat(32)}-${'1'.repeat(16)}-01`,
    ]) {
      expect(trace.getSpanContext(extractTraceContext(record(bad).headers))).toBeUndefined();
    }
    const tracer = new BasicTracerProvider().getTracer('test');
    const fresh = withTraceContext({}, startProcessSpan(tracer, record('00-abc-def-01')));
    expect(fresh.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('without a tracing SDK the received traceparent is forwarded unchanged', () => {
    const noop = trace.getTracer('no sdk registered');
    expect(withTraceContext({}, startProcessSpan(noop, record(VALID))).traceparent).toBe(VALID);
    expect(withTraceContext({}, noop.startSpan('new', {}, ROOT_CONTEXT)).traceparent).toBeUndefined();
  });
});
