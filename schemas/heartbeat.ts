// The heartbeat contract (schemas/heartbeat.schema.json): what a connector says on
// dancu.heartbeats.v1, and how a reader takes a record back. Connectors write it (the SDK's
// HeartbeatPublisher); the hub reads it (hub/operations). Both take the types from here.
import type { HeartbeatRecord } from './types.ts';
import { validateHeartbeat } from './validators.ts';

/** How often a connector beats unless told otherwise; also what a reader assumes of a beat that does not say. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

export type ConnectorKind = HeartbeatRecord['kind'];
export const CONNECTOR_KINDS: readonly ConnectorKind[] = ['source', 'consumer'];

/**
 * `starting`: up, has not taken in a record yet. `running`: took in records since the last beat.
 * `idle`: alive, nothing taken in since the last beat (paced, or waiting for its feed).
 * `stopping`: the last beat of a clean stop. `failed`: the last beat of a run that ended in an error.
 */
export type ConnectorState = HeartbeatRecord['state'];
export const CONNECTOR_STATES: readonly ConnectorState[] = ['starting', 'running', 'idle', 'stopping', 'failed'];

/** A reason code or transport error, and when: never a record's values. */
export type ConnectorError = NonNullable<HeartbeatRecord['lastError']>;

/** A heartbeat as readers use it: the record, with the fields older connectors leave out filled in. */
export interface Heartbeat extends Omit<HeartbeatRecord, 'version' | 'intervalMs' | 'counts'> {
  version: string;
  intervalMs: number;
  counts: Required<HeartbeatRecord['counts']>;
}

/** What a connector reports at each beat; the publisher adds who it is and the time. */
export type ConnectorStatus = Pick<Heartbeat, 'state' | 'position' | 'counts' | 'lastError'>;

/** A heartbeat read back from Kafka, or undefined when the value is not one (a foreign producer's mistake). */
export function parseHeartbeat(value: Buffer | string | null): Heartbeat | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  if (!validateHeartbeat(parsed)) return undefined;
  return {
    ...parsed,
    counts: { skipped: 0, ...parsed.counts },
    version: parsed.version ?? 'unknown',
    intervalMs: parsed.intervalMs ?? HEARTBEAT_INTERVAL_MS,
  };
}
