import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withTraceContext } from './trace-context.ts';
import { startTracing, tracingMode } from './tracing.ts';

describe('tracing set-up from the OTEL_* variables', () => {
  it('exports only when an OTLP endpoint (or the console exporter) is configured', () => {
    expect(tracingMode({})).toBe('ids-only');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('exporting');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe('exporting');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe('ids-only');
    expect(tracingMode({ OTEL_TRACES_EXPORTER: 'console' })).toBe('exporting');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBe('disabled');
  });

  it('with nothing configured, records still get a fresh trace id, but nothing is recorded', async () => {
    const tracing = startTracing();
    expect(tracing.mode).toBe('ids-only');
    const span = tracing.tracer('dancu-connector-health').startSpan('connector.read', {}, ROOT_CONTEXT);
    expect(span.isRecording()).toBe(false);
    expect(withTraceContext({}, span).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    await tracing.shutdown();
  });
});
