// Wires one source connector to Kafka and its local state (checkpoint, reject log) and runs it.
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { connectKafka } from '../kafka/connect.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { HEARTBEATS_TOPIC, sourceTopic, topicLayout } from '../kafka/topics.ts';
import type { SourceName } from '../schemas/sources.ts';
import { stopStep } from '../telemetry/stop-steps.ts';
import { FileCheckpoint } from './sdk/checkpoint.ts';
import { RejectLog } from './sdk/reject-log.ts';
import { type ConnectorSummary, type NativeItem, runSourceConnector } from './sdk/source-connector.ts';
import { SOURCE_DEFINITIONS } from './sources.ts';

export interface ConnectorProcessOptions {
  source: SourceName;
  /** Names this feed's checkpoint and reject log, e.g. `civil-status.simulated` or `residence.import.batch-07`. */
  feedId: string;
  items: AsyncIterable<NativeItem> | Iterable<NativeItem>;
  kafkaBrokers: string[];
  stateDir: string;
  rate?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (summary: ConnectorSummary) => void;
  /** See SourceConnectorOptions.tracer. */
  tracer?: Tracer;
  /** How often the connector beats on dancu.heartbeats.v1 (default HEARTBEAT_INTERVAL_MS, 5 s). */
  heartbeatIntervalMs?: number;
}

/** A connector's service name in traces. */
export function connectorService(source: SourceName): string {
  return `dancu-connector-${source}`;
}

export function checkpointPath(stateDir: string, feedId: string): string {
  return join(stateDir, 'checkpoints', `${feedId}.json`);
}

export function rejectLogPath(stateDir: string, feedId: string): string {
  return join(stateDir, 'rejects', `${feedId}.jsonl`);
}

export function runConnectorProcess(options: ConnectorProcessOptions): Promise<ConnectorSummary> {
  // Named for a stop cut by its bound: the connector is then waiting on Kafka (its topics, its batch in flight).
  return stopStep(`${options.source} connector`, () => runConnector(options));
}

async function runConnector(options: ConnectorProcessOptions): Promise<ConnectorSummary> {
  const kafka = connectKafka({ brokers: options.kafkaBrokers, clientId: connectorService(options.source) });
  await ensureTopics(kafka, [topicLayout(sourceTopic(options.source)), topicLayout(HEARTBEATS_TOPIC)]);
  const publisher = new RecordPublisher(kafka);
  try {
    return await runSourceConnector({
      source: options.source,
      items: options.items,
      toEvent: SOURCE_DEFINITIONS[options.source].toEvent,
      publisher,
      checkpoint: new FileCheckpoint(checkpointPath(options.stateDir, options.feedId)),
      rejects: new RejectLog(rejectLogPath(options.stateDir, options.feedId)),
      ...(options.rate ? { rate: options.rate } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.tracer ? { tracer: options.tracer } : {}),
      // The feed id, not the source: two feeds of one source may run at once and must not share a heartbeat.
      heartbeat: { connector: options.feedId, ...(options.heartbeatIntervalMs ? { intervalMs: options.heartbeatIntervalMs } : {}) },
    });
  } finally {
    await publisher.close();
  }
}
