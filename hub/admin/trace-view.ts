// The dashboard's trace view: one trace read server-side from Jaeger's query API (the local
// stack's Jaeger has the API but no UI) and turned into a waterfall: services, spans, their start
// and duration within the trace, errors.
//
// The admin server asks only the Jaeger the operator configured (DANCU_JAEGER_URL), only for a
// trace id or event id it checked, and hands the page only span names, timings, status and the
// attributes on an allowlist. Our spans carry no personal data, but anything that exports to the
// same Jaeger may: an attribute we do not know never reaches the page.
import { DancuError } from '../../errors/dancu-error.ts';
import { redactValues } from './redact-values.ts';

export interface SpanView {
  spanId: string;
  parentId: string | null;
  /** 0 for a span whose parent is not in the trace (the root, or the start of a hop we did not see). */
  depth: number;
  service: string;
  name: string;
  kind: string | null;
  /** Milliseconds from the trace's first span start. */
  startMs: number;
  durationMs: number;
  error: boolean;
  /** The status description of a failed span, with quoted values taken out. */
  status: string | null;
  /** Allowlisted attributes only (see ATTRIBUTE_PREFIXES). */
  attributes: Record<string, string | number | boolean>;
}

export interface TraceView {
  traceId: string;
  startedAt: string;
  durationMs: number;
  services: string[];
  errors: number;
  spans: SpanView[];
  /** Attributes left out because they are not on the allowlist. */
  attributesWithheld: number;
}

/** Whether the dashboard can show traces, in a sentence the page shows as it is. */
export interface TracingStatus {
  state: 'on' | 'off';
  /** The Jaeger asked, when on. */
  jaegerUrl: string | null;
  /** Whether this hub exports its spans (OTEL_EXPORTER_OTLP_ENDPOINT); off, no new trace is recorded. */
  hubExports: boolean;
  message: string;
}

/** Why a trace could not be shown: `status` is the admin port's HTTP status. */
export class TraceUnavailable extends DancuError<'trace-id-invalid' | 'trace-not-found' | 'tracing-unavailable'> {
  override readonly name = 'TraceUnavailable';
  constructor(
    readonly status: 400 | 404 | 502 | 503,
    message: string,
  ) {
    super(message);
  }

  get code(): 'trace-id-invalid' | 'trace-not-found' | 'tracing-unavailable' {
    return this.status === 400 ? 'trace-id-invalid' : this.status === 404 ? 'trace-not-found' : 'tracing-unavailable';
  }

  /** Jaeger may answer later; an unknown or malformed trace id stays so. */
  get retryable(): boolean {
    return this.status >= 500;
  }
}

export interface TraceSourceOptions {
  /** Jaeger's query address (its /api/traces); undefined: tracing is off for the dashboard. */
  jaegerUrl: string | undefined;
  /** Whether this hub exports spans at all (telemetry/tracing.ts mode `exporting`). */
  hubExports: boolean;
  /** The service whose spans carry `dancu.event_id` (the hub's). */
  hubService?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Keys whose values are identifiers, codes and counts on our spans, never personal data. */
const ATTRIBUTE_PREFIXES = ['dancu.', 'messaging.', 'db.system', 'db.operation', 'rpc.', 'server.port', 'network.'];
const ATTRIBUTE_EXCLUDED = new Set(['messaging.message.id', 'messaging.kafka.message.key']);
const TRACE_ID = /^[0-9a-f]{32}$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A trace larger than this is not drawn (and not read into memory whole). */
const MAX_TRACE_BYTES = 4 * 1024 * 1024;
const MAX_SPANS = 2_000;

interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags?: JaegerTag[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export function checkTraceId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!TRACE_ID.test(id) || /^0+$/.test(id))
    throw new TraceUnavailable(400, 'a trace id is 32 hexadecimal digits, e.g. 4bf92f3577b34da6a3ce929d0e0e4736');
  return id;
}

export function checkEventId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!EVENT_ID.test(id)) throw new TraceUnavailable(400, 'an event id is a UUID, e.g. 5b0f3c8e-2f47-4a8e-9c1d-6f3b2a1e9d70');
  return id;
}

export class TraceSource {
  private readonly jaegerUrl: string | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: TraceSourceOptions) {
    this.jaegerUrl = options.jaegerUrl?.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  status(): TracingStatus {
    const hubExports = this.options.hubExports;
    if (!this.jaegerUrl) {
      return {
        state: 'off',
        jaegerUrl: null,
        hubExports,
        message: 'Tracing is off: no Jaeger is configured (DANCU_JAEGER_URL=off), so the dashboard cannot show traces.',
      };
    }
    const exporting = hubExports
      ? ''
      : ' This hub exports no spans (OTEL_EXPORTER_OTLP_ENDPOINT is not set), so its new calls and records are not recorded; Jaeger may still hold older traces.';
    return { state: 'on', jaegerUrl: this.jaegerUrl, hubExports, message: `Traces are read from Jaeger at ${this.jaegerUrl}.${exporting}` };
  }

  /** One trace as a waterfall. */
  async trace(traceIdText: string): Promise<TraceView> {
    const traceId = checkTraceId(traceIdText);
    const body = await this.ask(`/api/traces/${traceId}`, `trace ${traceId}`);
    const trace = (body as { data?: JaegerTrace[] | null }).data?.[0];
    if (!trace) throw new TraceUnavailable(404, this.notFound(`trace ${traceId}`));
    return waterfall(trace);
  }

  /** The trace of the record whose event id this is: Jaeger searched for the hub's span that carries it. */
  async traceOfEvent(eventIdText: string): Promise<TraceView> {
    const eventId = checkEventId(eventIdText);
    const now = Date.now() * 1000;
    const query = new URLSearchParams({
      service: this.options.hubService ?? 'dancu-hub',
      tags: JSON.stringify({ 'dancu.event_id': eventId }),
      start: String(now - 7 * 24 * 3_600_000_000),
      end: String(now),
      limit: '1',
    });
    const body = await this.ask(`/api/traces?${query}`, `the trace of event ${eventId}`);
    const trace = (body as { data?: JaegerTrace[] | null }).data?.[0];
    if (!trace) throw new TraceUnavailable(404, this.notFound(`a trace of event ${eventId}`));
    // The search returns the matching spans' trace; read it whole (a search may trim it).
    return this.trace(trace.traceID);
  }

  private notFound(what: string): string {
    return `Jaeger has no ${what}: it was not recorded (the hub or connector did not export spans then), not sampled, or is gone (the local Jaeger keeps traces in memory until it restarts).`;
  }

  private async ask(path: string, what: string): Promise<unknown> {
    if (!this.jaegerUrl) throw new TraceUnavailable(503, this.status().message);
    let response: Response;
    try {
      response = await this.fetch(`${this.jaegerUrl}${path}`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
        redirect: 'error',
        headers: { accept: 'application/json' },
      });
    } catch (error) {
      throw new TraceUnavailable(
        503,
        `Tracing is unavailable: Jaeger at ${this.jaegerUrl} does not answer (${causeOf(error)}). Start it with \`dancu stack up --with-tracing\`, or set DANCU_JAEGER_URL to the Jaeger you run.`,
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new TraceUnavailable(404, this.notFound(what));
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new TraceUnavailable(502, `Jaeger at ${this.jaegerUrl} answered ${response.status} for ${what}`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_TRACE_BYTES) {
      await response.body?.cancel();
      throw new TraceUnavailable(502, `${what} is too large to draw (${length} bytes); look at it with Jaeger's own tools`);
    }
    const text = await response.text();
    if (text.length > MAX_TRACE_BYTES) throw new TraceUnavailable(502, `${what} is too large to draw; look at it with Jaeger's own tools`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TraceUnavailable(502, `Jaeger at ${this.jaegerUrl} answered something that is not JSON for ${what}`);
    }
  }
}

/** Jaeger's trace → the waterfall the page draws: spans in tree order, times relative to the first. */
export function waterfall(trace: JaegerTrace): TraceView {
  const spans = trace.spans.slice(0, MAX_SPANS);
  const byId = new Map(spans.map((span) => [span.spanID, span]));
  const parentOf = (span: JaegerSpan): string | null => {
    const parent = span.references?.find((ref) => ref.refType === 'CHILD_OF' && ref.traceID === span.traceID)?.spanID;
    return parent && byId.has(parent) ? parent : null;
  };
  const children = new Map<string | null, JaegerSpan[]>();
  for (const span of spans) {
    const parent = parentOf(span);
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime);
  const start = Math.min(...spans.map((span) => span.startTime));
  const end = Math.max(...spans.map((span) => span.startTime + span.duration));
  let withheld = 0;
  const ordered: SpanView[] = [];
  const visit = (span: JaegerSpan, depth: number, seen: Set<string>): void => {
    if (seen.has(span.spanID)) return; // a malformed trace's cycle must not loop
    seen.add(span.spanID);
    const { attributes, dropped } = allowedAttributes(span.tags ?? []);
    withheld += dropped;
    const tag = (key: string) => span.tags?.find((each) => each.key === key)?.value;
    const error = tag('error') === true || tag('otel.status_code') === 'ERROR';
    const description = tag('otel.status_description');
    ordered.push({
      spanId: span.spanID,
      parentId: parentOf(span),
      depth,
      service: trace.processes[span.processID]?.serviceName ?? 'unknown',
      name: span.operationName,
      kind: typeof tag('span.kind') === 'string' ? (tag('span.kind') as string) : null,
      startMs: (span.startTime - start) / 1000,
      durationMs: span.duration / 1000,
      error,
      status: error && typeof description === 'string' ? shortText(description) : null,
      attributes,
    });
    for (const child of children.get(span.spanID) ?? []) visit(child, depth + 1, seen);
  };
  const seen = new Set<string>();
  for (const root of children.get(null) ?? []) visit(root, 0, seen);
  const services = [...new Set(ordered.map((span) => span.service))];
  return {
    traceId: trace.traceID,
    startedAt: new Date(start / 1000).toISOString(),
    durationMs: (end - start) / 1000,
    services,
    errors: ordered.filter((span) => span.error).length,
    spans: ordered,
    attributesWithheld: withheld,
  };
}

function allowedAttributes(tags: readonly JaegerTag[]): { attributes: Record<string, string | number | boolean>; dropped: number } {
  const attributes: Record<string, string | number | boolean> = {};
  let dropped = 0;
  for (const { key, value } of tags) {
    if (key === 'span.kind' || key === 'error' || key.startsWith('otel.') || key.startsWith('internal.')) continue;
    const allowed = ATTRIBUTE_PREFIXES.some((prefix) => key.startsWith(prefix)) && !ATTRIBUTE_EXCLUDED.has(key);
    if (!allowed || !/^[a-z0-9_.]{1,100}$/.test(key)) {
      dropped += 1;
      continue;
    }
    if (typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
    // Event ids and trace ids are shown whole; other text loses quoted values and long digit runs.
    else if (typeof value === 'string') attributes[key] = EVENT_ID.test(value) || TRACE_ID.test(value) ? value : shortText(value);
    else dropped += 1;
  }
  return { attributes, dropped };
}

function shortText(text: string): string {
  const redacted = redactValues(text);
  return redacted.length > 200 ? `${redacted.slice(0, 199)}…` : redacted;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
