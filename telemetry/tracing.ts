// OpenTelemetry tracing for dancu's processes, configured only by the standard OTEL_* variables.
//
// Three modes, chosen once at start-up:
//   exporting  an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or …_TRACES_ENDPOINT), or
//              OTEL_TRACES_EXPORTER=console: spans are sampled (OTEL_TRACES_SAMPLER, default
//              parentbased_always_on), batched (OTEL_BSP_*) and exported over OTLP/HTTP protobuf.
//   ids only   nothing configured: no exporter, no span processor and nothing sampled, so a span
//              costs two random ids. Records still get a `traceparent`, which keeps a source
//              record, its dead letter and its changes findable as one trace. (Its sampled flag is
//              00 from here on: honouring a sampled parent would mean recording spans for nobody.)
//   disabled   OTEL_SDK_DISABLED=true: the API's no-op tracer; a connector then sends no traceparent
//              (the hub still forwards one it receives).
//
// One process may run several dancu services (`dancu start` runs the hub and four connectors), so
// this keeps one tracer provider per service name and hands tracers out explicitly instead of
// registering a global provider: each service appears under its own name in Jaeger.
import { type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export type TracingMode = 'exporting' | 'ids-only' | 'disabled';

/** The instrumentation scope of every dancu span. */
const SCOPE = 'dancu';

export interface Tracing {
  mode: TracingMode;
  /** The tracer for one service, e.g. `dancu-hub` or `dancu-connector-residence`. */
  tracer(serviceName: string): Tracer;
  /** Exports every span ended so far (tests call this before asking Jaeger). */
  forceFlush(): Promise<void>;
  /** Flushes and stops; spans started afterwards are dropped. */
  shutdown(): Promise<void>;
}

export function tracingMode(env: NodeJS.ProcessEnv = process.env): TracingMode {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return 'disabled';
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return 'ids-only';
  if (exporter === 'console') return 'exporting';
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return endpoint ? 'exporting' : 'ids-only';
}

/** Reads process.env: the SDK itself reads the sampler, batch and exporter settings from there too. */
export function startTracing(): Tracing {
  const mode = tracingMode();
  if (mode === 'disabled') {
    return { mode, tracer: () => trace.getTracer(SCOPE), forceFlush: async () => {}, shutdown: async () => {} };
  }
  const providers = new Map<string, BasicTracerProvider>();
  const provider = (serviceName: string): BasicTracerProvider => {
    let made = providers.get(serviceName);
    if (!made) {
      made = mode === 'exporting' ? exportingProvider(serviceName) : idsOnlyProvider(serviceName);
      providers.set(serviceName, made);
    }
    return made;
  };
  const all = (call: (provider: BasicTracerProvider) => Promise<void>) => Promise.all([...providers.values()].map(call)).then(() => {});
  return {
    mode,
    tracer: (serviceName) => provider(serviceName).getTracer(SCOPE),
    forceFlush: () => all((each) => each.forceFlush()),
    shutdown: () => all((each) => each.shutdown()),
  };
}

function exportingProvider(serviceName: string): BasicTracerProvider {
  const exporter: SpanExporter =
    process.env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  // No sampler given, so the SDK applies OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG.
  return new BasicTracerProvider({ resource: resourceOf(serviceName), spanProcessors: [new BatchSpanProcessor(exporter)] });
}

function idsOnlyProvider(serviceName: string): BasicTracerProvider {
  return new BasicTracerProvider({ resource: resourceOf(serviceName), sampler: new AlwaysOffSampler() });
}

/** Our name for the service, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
function resourceOf(serviceName: string) {
  return resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }).merge(detectResources({ detectors: [envDetector] }));
}
