// What the dashboard shows of each source feed: the connectors' health on its topic, the hub's
// counts and lag, and the recent history for the charts. A plain function of what the hub knows,
// so the rules (a feed is as bad as its worst connector; no beat, no verdict) are unit-tested.

import { sourceTopic } from '../../kafka/topics.ts';
import { SOURCES } from '../../schemas/sources.ts';
import type { SourceCounts } from '../ingest/ingest-stats.ts';
import type { FeedHistory, FeedPoint } from './feed-history.ts';

export type HealthState = 'healthy' | 'degraded' | 'down';

/**
 * One connector as the dashboard needs it. The hub's connector health (ConnectorHealth from
 * hub/operations/connector-health.ts) has this shape and more, so it can be passed as is.
 */
export interface ConnectorView {
  connector: string;
  /** The topic it publishes to (source) or reads (consumer). */
  topic: string;
  state: HealthState;
  /** Why, in a sentence. */
  reason: string;
  heartbeatAgeSeconds: number;
  /** What the connector last said of itself; `stopping` marks a clean stop. */
  reportedState?: string;
  counts: { published: number; rejected: number };
  lag: number | null;
  lastError: { message: string; at: string } | null;
}

/** `unknown`: no connector has reported on the feed's topic, so the hub cannot judge it. */
export type FeedState = HealthState | 'unknown';

export interface FeedView {
  source: string;
  topic: string;
  state: FeedState;
  reason: string;
  connectors: ConnectorView[];
  /** What its connectors published (from their heartbeats); null when none reported. */
  published: number | null;
  /** Records the connectors rejected before publishing; null when none reported. */
  rejectedAtSource: number | null;
  received: number;
  applied: number;
  duplicates: number;
  /** Records the hub dead-lettered. */
  rejected: number;
  lag: number | null;
  series: FeedPoint[];
}

export interface Overview {
  at: string;
  sampleIntervalMs: number;
  windowMs: number;
  /** False when this hub has no connector health to show (every feed is then `unknown`). */
  connectorHealth: boolean;
  feeds: FeedView[];
  /** Connectors on topics other than the source topics (consumer connectors). */
  otherConnectors: ConnectorView[];
  /** The history: connectors retired from the live view, most recently retired first. */
  retired: RetiredConnectorView[];
}

/** A connector retired from the live view, as the dashboard's history lists it. */
export interface RetiredConnectorView {
  connector: string;
  topic: string;
  /** When it last beat, and what it said then. */
  lastHeartbeatAt: string;
  reportedState?: string;
  retirement: { at: string; by: string | null; reason: string };
}

export interface OverviewInput {
  /** The hub's running counts by source, read now (so counts are current, not a sample old). */
  counts: ReadonlyMap<string, SourceCounts>;
  history: FeedHistory;
  /** Undefined when the hub has no connector health. */
  connectors: readonly ConnectorView[] | undefined;
  retired?: readonly RetiredConnectorView[];
  now: number;
}

const SEVERITY: Record<HealthState, number> = { healthy: 0, degraded: 1, down: 2 };

export function feedOverview({ counts, history, connectors, retired = [], now }: OverviewInput): Overview {
  const lastSample = history.latest();
  const sourceTopics = new Set(SOURCES.map(sourceTopic));
  const feeds = SOURCES.map((source): FeedView => {
    const topic = sourceTopic(source);
    const mine = (connectors ?? []).filter((connector) => connector.topic === topic).map(connectorView);
    const hub = counts.get(source) ?? { received: 0, applied: 0, duplicates: 0, rejected: 0, changes: 0 };
    return {
      source,
      topic,
      ...feedState(mine, connectors !== undefined),
      connectors: mine,
      published: mine.length > 0 ? sum(mine.map((connector) => connector.counts.published)) : null,
      rejectedAtSource: mine.length > 0 ? sum(mine.map((connector) => connector.counts.rejected)) : null,
      received: hub.received,
      applied: hub.applied,
      duplicates: hub.duplicates,
      rejected: hub.rejected,
      lag: lastSample?.feeds[source]?.lag ?? null,
      series: history.series(source),
    };
  });
  return {
    at: new Date(now).toISOString(),
    sampleIntervalMs: history.intervalMs,
    windowMs: history.windowMs,
    connectorHealth: connectors !== undefined,
    feeds,
    otherConnectors: (connectors ?? []).filter((connector) => !sourceTopics.has(connector.topic)).map(connectorView),
    retired: retired.map((connector) => ({
      connector: connector.connector,
      topic: connector.topic,
      lastHeartbeatAt: connector.lastHeartbeatAt,
      ...(connector.reportedState ? { reportedState: connector.reportedState } : {}),
      retirement: { at: connector.retirement.at, by: connector.retirement.by, reason: connector.retirement.reason },
    })),
  };
}

function feedState(connectors: readonly ConnectorView[], healthKnown: boolean): { state: FeedState; reason: string } {
  if (connectors.length === 0) {
    return {
      state: 'unknown',
      reason: healthKnown ? 'no connector has sent a heartbeat for this topic' : 'this hub does not report connector health',
    };
  }
  // A connector that stopped cleanly (a finished import, yesterday's run) does not make a feed
  // that another connector keeps alive look down; with none alive, the stopped ones judge it.
  const alive = connectors.filter((connector) => connector.reportedState !== 'stopping');
  const judged = alive.length > 0 ? alive : connectors;
  const worst = judged.reduce((a, b) => (SEVERITY[b.state] > SEVERITY[a.state] ? b : a));
  const reason = judged.length === 1 ? worst.reason : judged.map((connector) => `${connector.connector}: ${connector.reason}`).join('; ');
  return { state: worst.state, reason };
}

/** Only the fields the page shows: a richer health record must not leak through unnoticed. */
function connectorView(connector: ConnectorView): ConnectorView {
  return {
    connector: connector.connector,
    topic: connector.topic,
    state: connector.state,
    reason: connector.reason,
    heartbeatAgeSeconds: connector.heartbeatAgeSeconds,
    ...(connector.reportedState ? { reportedState: connector.reportedState } : {}),
    counts: { published: connector.counts.published, rejected: connector.counts.rejected },
    lag: connector.lag,
    lastError: connector.lastError ? { message: connector.lastError.message, at: connector.lastError.at } : null,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
