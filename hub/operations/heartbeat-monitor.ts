// The hub's view of its connectors: follows dancu.heartbeats.v1, keeps each connector's latest
// beat (and the beats of its error window), and derives healthy / degraded / down on demand.
//
// It reads the topic from the oldest retained beat (retention is one day), not from its end: a
// restarted hub then still lists a connector that died before the restart — as down, with its
// last beat and error — instead of forgetting it. A day of beats is small (one record per
// connector per interval, a few hundred bytes each) and is read once at start-up.
//
// Connectors not heard from for retireAfterMs, or retired by an officer, leave the live view
// (`connectors()`, so also the metrics, the dashboard's feeds and Operations) for the history
// (`retired()`); see connector-retirement.ts.
import type { Kafka } from 'kafkajs';
import type { PartitionLag } from '../../kafka/group-offsets.ts';
import { type TopicTail, tailTopic } from '../../kafka/topic-tail.ts';
import { HEARTBEATS_TOPIC } from '../../kafka/topics.ts';
import { type Heartbeat, parseHeartbeat } from '../../schemas/heartbeat.ts';
import { type ConnectorHealth, connectorHealth } from './connector-health.ts';
import { type ConnectorRetirement, type Retirement, retirementOf } from './connector-retirement.ts';
import type { HealthThresholds } from './health-thresholds.ts';

export interface HeartbeatMonitorOptions {
  kafka: Kafka;
  thresholds: HealthThresholds;
  /** The hub's consumer lag per partition (IngestService.lag); asked every lagRefreshMs. */
  lag?: () => Promise<PartitionLag[]>;
  lagRefreshMs?: number;
  /** Retirements by hand (the store's connector_retirements), read at start and every lagRefreshMs. */
  retirements?: () => Promise<ReadonlyMap<string, ConnectorRetirement>>;
  now?: () => number;
}

/** A connector out of the live view: its last known health, and when, by whom and why it was retired. */
export type RetiredConnector = ConnectorHealth & { retirement: Retirement };

/** Beats kept per connector at most, whatever its interval: bounds memory against a misconfigured beat rate. */
const MAX_WINDOW_BEATS = 1_000;

export class HeartbeatMonitor {
  /** Per connector: its current run's beats inside the error window, oldest first; the last is the latest. */
  private readonly beats = new Map<string, Heartbeat[]>();
  private lagByTopic = new Map<string, number>();
  private byHand: ReadonlyMap<string, ConnectorRetirement> = new Map();
  private tail: TopicTail | undefined;
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HeartbeatMonitorOptions) {}

  /** Follows the heartbeat topic until `stop` (the topic must exist: ensureTopics). */
  static async start(options: HeartbeatMonitorOptions): Promise<HeartbeatMonitor> {
    const monitor = new HeartbeatMonitor(options);
    monitor.tail = await tailTopic(options.kafka, HEARTBEATS_TOPIC, 'earliest', async (record) => {
      const beat = parseHeartbeat(record.value);
      // Not a heartbeat: a foreign producer's mistake; it must not stop the operators' view.
      if (beat) monitor.observe(beat);
    });
    monitor.tail.done.catch((error: unknown) => console.error(`heartbeat monitor stopped reading ${HEARTBEATS_TOPIC}: ${String(error)}`));
    await monitor.refreshRetirements();
    if (options.lag || options.retirements) {
      void monitor.refreshLag();
      monitor.lagTimer = setInterval(() => {
        void monitor.refreshLag();
        void monitor.refreshRetirements();
      }, options.lagRefreshMs ?? 5_000);
      monitor.lagTimer.unref();
    }
    return monitor;
  }

  /** Takes one beat into account. */
  observe(beat: Heartbeat): void {
    const kept = this.beats.get(beat.connector) ?? [];
    const latest = kept[kept.length - 1];
    // A new run starts its counts from zero: its beats cannot be compared with the old run's.
    const run = latest && latest.startedAt === beat.startedAt ? kept : [];
    run.push(beat);
    const from = Date.parse(beat.at) - this.options.thresholds.errorWindowMs;
    while (run.length > 1 && (run.length > MAX_WINDOW_BEATS || Date.parse(run[0]!.at) < from)) run.shift();
    this.beats.set(beat.connector, run);
  }

  /** The live view: every connector seen in the retained heartbeats and not retired, by id. */
  connectors(now: number = this.options.now?.() ?? Date.now()): ConnectorHealth[] {
    return this.judged(now)
      .filter(({ retirement }) => !retirement)
      .map(({ health }) => health);
  }

  /** The history: connectors still in the retained heartbeats but retired, most recently retired first. */
  retired(now: number = this.options.now?.() ?? Date.now()): RetiredConnector[] {
    return this.judged(now)
      .flatMap(({ health, retirement }) => (retirement ? [{ ...health, retirement }] : []))
      .sort((a, b) => b.retirement.at.localeCompare(a.retirement.at) || a.connector.localeCompare(b.connector));
  }

  private judged(now: number): Array<{ health: ConnectorHealth; retirement: Retirement | undefined }> {
    return [...this.beats.values()]
      .map((run) => {
        const latest = run[run.length - 1]!;
        const lag = this.lagByTopic.get(latest.topic);
        const health = connectorHealth(
          { latest, windowStart: run[0], ...(lag === undefined ? {} : { lag }) },
          now,
          this.options.thresholds,
        );
        return { health, retirement: retirementOf(latest, now, this.options.thresholds.retireAfterMs, this.byHand.get(latest.connector)) };
      })
      .sort((a, b) => a.health.connector.localeCompare(b.health.connector));
  }

  private async refreshRetirements(): Promise<void> {
    try {
      if (this.options.retirements) this.byHand = await this.options.retirements();
    } catch {
      // Best effort, as for the lag: the store may be away; keep the last list until the next try.
    }
  }

  async stop(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.tail?.stop();
  }

  private async refreshLag(): Promise<void> {
    try {
      const byTopic = new Map<string, number>();
      for (const partition of (await this.options.lag?.()) ?? [])
        byTopic.set(partition.topic, (byTopic.get(partition.topic) ?? 0) + partition.lag);
      this.lagByTopic = byTopic;
    } catch {
      // Best effort, as for the live counts: Kafka may be rebalancing; keep the last figure until the next try.
    }
  }
}
