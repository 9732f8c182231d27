// The one loop every source connector runs: read native records → map to canonical events →
// validate → publish to the source's topic → checkpoint after Kafka acknowledged the batch.
// A record that cannot be mapped or validated is set aside with its reason; it never stops the feed.
//
// Each native record starts a trace: a `connector.read` span for taking it in (mapping and
// validation), and under it a producer span that lasts until Kafka acknowledged the batch the
// record went out in. The producer span's context travels in the record's `traceparent` header,
// where the hub picks it up.
import { ROOT_CONTEXT, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { OutgoingRecord } from '../../kafka/records.ts';
import { HEADERS, sourceTopic } from '../../kafka/topics.ts';
import type { ConnectorError, ConnectorStatus } from '../../schemas/heartbeat.ts';
import { payloadSchemaId, type SourceEvent } from '../../schemas/source-event.ts';
import type { SourceName } from '../../schemas/sources.ts';
import { validateEvent } from '../../schemas/validate-event.ts';
import { SPAN_ATTRIBUTES, startSendSpan, withTraceContext } from '../../telemetry/trace-context.ts';
import type { FileCheckpoint } from './checkpoint.ts';
import { HeartbeatPublisher } from './heartbeat.ts';
import { rejectionOf } from './mapping-error.ts';
import type { RejectLog } from './reject-log.ts';

export type NativeItem = { position: number; record: Record<string, string> } | { position: number; error: string };

export interface SourceConnectorOptions {
  source: SourceName;
  items: AsyncIterable<NativeItem> | Iterable<NativeItem>;
  toEvent: (record: Record<string, string>) => SourceEvent;
  publisher: RecordPublisher;
  checkpoint: FileCheckpoint;
  rejects?: RejectLog;
  /** Events per Kafka send (and per checkpoint). */
  batchSize?: number;
  /** Upper bound on events per second; unlimited when absent. */
  rate?: number;
  signal?: AbortSignal;
  onProgress?: (summary: ConnectorSummary) => void;
  /** Tracer of this connector's service (`dancu-connector-<source>`); the API's no-op tracer when absent. */
  tracer?: Tracer;
  /**
   * Beat on dancu.heartbeats.v1 through `publisher` while the loop runs, with a final `stopping`
   * (clean end or abort) or `failed` (the loop threw) beat. Connector processes always set it.
   */
  heartbeat?: { connector: string; intervalMs?: number };
}

export interface ConnectorSummary {
  source: SourceName;
  /** Records before the checkpoint, already in Kafka from an earlier run. */
  skipped: number;
  published: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  position: number;
}

export async function runSourceConnector(options: SourceConnectorOptions): Promise<ConnectorSummary> {
  const topic = sourceTopic(options.source);
  const batchSize = options.batchSize ?? 500;
  const resumeAfter = await options.checkpoint.load();
  const summary: ConnectorSummary = {
    source: options.source,
    skipped: 0,
    published: 0,
    rejected: 0,
    rejectedByReason: {},
    position: resumeAfter,
  };
  const tracer = options.tracer ?? trace.getTracer('dancu');
  let batch: OutgoingRecord[] = [];
  let sends: Span[] = [];
  let batchEnd = resumeAfter;
  const started = Date.now();

  const flush = async (): Promise<void> => {
    try {
      await options.publisher.publish(topic, batch);
    } catch (error) {
      for (const send of sends) endFailed(send, error);
      throw error;
    }
    for (const send of sends) send.setAttribute(SPAN_ATTRIBUTES.messageCount, batch.length).end();
    summary.published += batch.length;
    batch = [];
    sends = [];
    if (batchEnd > summary.position) {
      await options.checkpoint.save(batchEnd);
      summary.position = batchEnd;
    }
    options.onProgress?.(summary);
    if (options.rate) await pace(started, summary.published, options.rate, options.signal);
  };

  // What the heartbeat reports: `read` moves with every record taken in, so a beat can tell
  // running (moved since the last beat) from idle (paced, or the feed is waiting).
  let tookIn = false;
  let lastRead = resumeAfter;
  let readAtLastBeat = resumeAfter;
  let lastError: ConnectorError | null = null;
  const status = (): ConnectorStatus => {
    const state = !tookIn ? 'starting' : lastRead !== readAtLastBeat ? 'running' : 'idle';
    readAtLastBeat = lastRead;
    return {
      state,
      position: { read: lastRead, checkpoint: summary.position },
      counts: { published: summary.published, rejected: summary.rejected, skipped: summary.skipped },
      lastError,
    };
  };
  const heartbeat = options.heartbeat
    ? new HeartbeatPublisher({ publisher: options.publisher, kind: 'source', topic, status, ...options.heartbeat })
    : undefined;
  heartbeat?.start();

  try {
    for await (const item of options.items) {
      if (options.signal?.aborted) break;
      tookIn = true;
      if (item.position <= resumeAfter) {
        summary.skipped += 1;
        continue;
      }
      batchEnd = item.position;
      lastRead = item.position;
      const read = tracer.startSpan(
        'connector.read',
        { attributes: { [SPAN_ATTRIBUTES.source]: options.source, 'dancu.position': item.position } },
        ROOT_CONTEXT,
      );
      const outcome = 'error' in item ? { reason: 'malformed-record', detail: item.error } : toRecord(options, item.record);
      if ('reason' in outcome) {
        // The reason only: the detail can quote the record's values.
        read.setAttributes({ [SPAN_ATTRIBUTES.outcome]: 'rejected', [SPAN_ATTRIBUTES.reason]: outcome.reason });
        read.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason }).end();
        summary.rejected += 1;
        summary.rejectedByReason[outcome.reason] = (summary.rejectedByReason[outcome.reason] ?? 0) + 1;
        lastError = { message: `record at position ${item.position} rejected: ${outcome.reason}`, at: new Date().toISOString() };
        await options.rejects?.add({ position: item.position, ...outcome, record: 'record' in item ? item.record : null });
      } else {
        const described = { [SPAN_ATTRIBUTES.eventType]: outcome.eventType, [SPAN_ATTRIBUTES.eventId]: outcome.eventId };
        read.setAttributes({ ...described, [SPAN_ATTRIBUTES.outcome]: 'accepted' });
        const send = startSendSpan(tracer, topic, trace.setSpan(ROOT_CONTEXT, read), {
          [SPAN_ATTRIBUTES.source]: options.source,
          ...described,
        });
        read.end();
        batch.push({ ...outcome.record, headers: withTraceContext(outcome.record.headers ?? {}, send) });
        sends.push(send);
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (error) {
    // Why the run ended, as operators will see it: a transport or programming error (records'
    // problems are rejects, above), cut short so a long stack of detail cannot ride along.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await heartbeat?.stop('failed', { message: message.slice(0, 200), at: new Date().toISOString() });
    throw error;
  }
  await heartbeat?.stop('stopping');
  return summary;
}

function endFailed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) }).end();
}

function toRecord(
  options: SourceConnectorOptions,
  native: Record<string, string>,
): { record: OutgoingRecord; eventType: string; eventId: string } | { reason: string; detail: string } {
  let event: SourceEvent;
  try {
    event = options.toEvent(native);
  } catch (error) {
    const rejection = rejectionOf(error);
    if (rejection) return rejection;
    throw error;
  }
  const value = JSON.stringify(event);
  // Validate exactly the bytes we send: the hub will check them again, but a sectoral IT team
  // should learn about a bad record here, at the source, with its position in their file.
  const verdict = validateEvent(value, { topicSource: options.source });
  if (!verdict.ok) return { reason: verdict.reason, detail: verdict.path ? `${verdict.path}: ${verdict.detail}` : verdict.detail };
  const record = {
    key: event.personalId,
    value,
    headers: { [HEADERS.eventId]: event.eventId, [HEADERS.schema]: payloadSchemaId(event.source, event.type) },
  };
  return { record, eventType: event.type, eventId: event.eventId };
}

async function pace(started: number, sent: number, rate: number, signal?: AbortSignal): Promise<void> {
  const due = started + (sent / rate) * 1000;
  const wait = due - Date.now();
  if (wait <= 0 || signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, wait);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
