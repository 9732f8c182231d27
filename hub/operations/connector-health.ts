// healthy / degraded / down for one connector, from its latest heartbeat, its recent error rate
// and the hub's lag on its topic. A plain function of what the monitor observed and the time, so
// every rule and edge is unit-tested without Kafka.
//
//   healthy   the connector beats on time, rejects few records, and the hub keeps up with its topic.
//   degraded  it still works but needs a look: its heartbeat is late (past degradedAfterMs), or
//             more than maxErrorRate of its records were rejected over the error window, or the hub
//             is more than maxLag records behind on its topic. Every cause is named in `reason`.
//   down      it is not working: no heartbeat for longer than downAfterMs, or its last heartbeat
//             said it stopped — `stopping` (a clean stop: down at once, and the reason says so) or
//             `failed` (the reason carries its last error).
//
// A threshold is crossed when the measure is strictly above it (a beat exactly degradedAfterMs old
// is still on time).
import type { ConnectorError, ConnectorKind, ConnectorState, Heartbeat } from '../../schemas/heartbeat.ts';
import type { HealthThresholds } from './health-thresholds.ts';

export type HealthState = 'healthy' | 'degraded' | 'down';
export const HEALTH_STATES: readonly HealthState[] = ['healthy', 'degraded', 'down'];

/** What the monitor knows about one connector. */
export interface ConnectorObservation {
  latest: Heartbeat;
  /** The oldest beat of the same run inside the error window; absent, or the run started inside the window: its counts since it started. */
  windowStart?: Heartbeat;
  /** Records the hub has not yet consumed on `latest.topic`; absent when unknown or not the hub's topic. */
  lag?: number;
}

/** One connector as operators see it (GET /connectors, metrics, later the gRPC operator RPC). */
export interface ConnectorHealth {
  connector: string;
  kind: ConnectorKind;
  topic: string;
  state: HealthState;
  /** Why, in a sentence; several causes joined with "; ". */
  reason: string;
  /** What the connector said of itself in its latest heartbeat. */
  reportedState: ConnectorState;
  heartbeatAgeSeconds: number;
  lastHeartbeatAt: string;
  startedAt: string;
  version: string;
  position: Heartbeat['position'];
  counts: Heartbeat['counts'];
  /** Rejected share over the error window; null when too few records to say. */
  errorRate: number | null;
  lag: number | null;
  lastError: ConnectorError | null;
}

export function connectorHealth(observation: ConnectorObservation, now: number, thresholds: HealthThresholds): ConnectorHealth {
  const { latest } = observation;
  const ageMs = Math.max(0, now - Date.parse(latest.at)); // a connector clock slightly ahead must not make a negative age
  const errorRate = rejectedShare(observation, thresholds);
  const lag = observation.lag ?? null;
  const { state, reason } = judge(latest, ageMs, errorRate, lag, thresholds);
  return {
    connector: latest.connector,
    kind: latest.kind,
    topic: latest.topic,
    state,
    reason,
    reportedState: latest.state,
    heartbeatAgeSeconds: ageMs / 1000,
    lastHeartbeatAt: latest.at,
    startedAt: latest.startedAt,
    version: latest.version,
    position: latest.position,
    counts: latest.counts,
    errorRate,
    lag,
    lastError: latest.lastError,
  };
}

function judge(
  latest: Heartbeat,
  ageMs: number,
  errorRate: number | null,
  lag: number | null,
  thresholds: HealthThresholds,
): { state: HealthState; reason: string } {
  const age = seconds(ageMs);
  if (latest.state === 'stopping') return { state: 'down', reason: `stopped cleanly: its last heartbeat, ${age} ago, said stopping` };
  if (latest.state === 'failed') {
    return { state: 'down', reason: `failed ${age} ago: ${latest.lastError?.message ?? 'no error given'}` };
  }
  if (ageMs > thresholds.downAfterMs)
    return { state: 'down', reason: `no heartbeat for ${age} (down after ${seconds(thresholds.downAfterMs)})` };
  const causes: string[] = [];
  if (ageMs > thresholds.degradedAfterMs) causes.push(`no heartbeat for ${age} (degraded after ${seconds(thresholds.degradedAfterMs)})`);
  if (errorRate !== null && errorRate > thresholds.maxErrorRate) {
    causes.push(
      `${percent(errorRate)} of its records rejected over the last ${seconds(thresholds.errorWindowMs)} (degraded above ${percent(thresholds.maxErrorRate)})`,
    );
  }
  if (lag !== null && lag > thresholds.maxLag)
    causes.push(`the hub is ${lag} records behind on ${latest.topic} (degraded above ${thresholds.maxLag})`);
  if (causes.length > 0) return { state: 'degraded', reason: causes.join('; ') };
  return { state: 'healthy', reason: `${latest.state}, last heartbeat ${age} ago` };
}

function rejectedShare(observation: ConnectorObservation, thresholds: HealthThresholds): number | null {
  const { latest, windowStart } = observation;
  // A run that started inside the window counts from zero; an older run from the window's first beat.
  const runInWindow = Date.parse(latest.startedAt) >= Date.parse(latest.at) - thresholds.errorWindowMs;
  const comparable = windowStart && windowStart.startedAt === latest.startedAt && !runInWindow;
  const since = comparable ? windowStart.counts : { published: 0, rejected: 0 };
  const rejected = latest.counts.rejected - since.rejected;
  const total = latest.counts.published - since.published + rejected;
  if (total < thresholds.errorRateMinRecords || rejected < 0) return null;
  return rejected / total;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
