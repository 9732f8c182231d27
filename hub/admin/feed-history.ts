// The recent past of every source feed, kept in the hub so a dashboard opened late still shows
// the last minutes: a ring buffer of samples (by default one every 5 s for 10 minutes) of the
// hub's running counts and its lag on each source topic.
import type { SourceCounts } from '../ingest/ingest-stats.ts';

/** One feed's counts at a sample: the hub's running totals and, when it could be read, its lag. */
export interface FeedCounts extends SourceCounts {
  /** Records the hub has not consumed yet on the feed's topic; null when Kafka did not answer. */
  lag: number | null;
}

export interface FeedSample {
  /** Epoch milliseconds. */
  at: number;
  /** By source name. */
  feeds: Record<string, FeedCounts>;
}

/** One point of a feed's charts: records handled per second since the previous sample, and the lag. */
export interface FeedPoint {
  at: number;
  perSecond: number;
  lag: number | null;
}

export interface FeedHistoryOptions {
  /** Reads the counts now; a failure skips that sample (the next one tries again). */
  read: () => Promise<Record<string, FeedCounts>>;
  intervalMs?: number;
  /** How long a history to keep. */
  windowMs?: number;
  now?: () => number;
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 5_000;
export const DEFAULT_HISTORY_WINDOW_MS = 10 * 60_000;

export class FeedHistory {
  readonly intervalMs: number;
  readonly windowMs: number;
  private readonly ring: (FeedSample | undefined)[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(private readonly options: FeedHistoryOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    this.windowMs = options.windowMs ?? DEFAULT_HISTORY_WINDOW_MS;
    this.ring = new Array<FeedSample | undefined>(Math.max(2, Math.ceil(this.windowMs / this.intervalMs) + 1));
  }

  /** Takes a sample now and then every intervalMs, until stop. */
  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref(); // the admin port's history must never keep a stopping hub alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the counts once and keeps them; a sample still running is not started twice. */
  sample(): Promise<void> {
    this.sampling ??= this.options
      .read()
      .then((feeds) => this.add({ at: this.options.now?.() ?? Date.now(), feeds }))
      .catch(() => {
        // Best effort, like the live counts: Kafka may be rebalancing; a gap in the chart says so.
      })
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  add(sample: FeedSample): void {
    this.ring[this.next] = sample;
    this.next = (this.next + 1) % this.ring.length;
  }

  /** The kept samples, oldest first. */
  samples(): FeedSample[] {
    const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.filter((sample): sample is FeedSample => sample !== undefined);
  }

  latest(): FeedSample | undefined {
    return this.ring[(this.next - 1 + this.ring.length) % this.ring.length];
  }

  /** A feed's chart points: one per pair of consecutive samples in which the feed appears. */
  series(source: string): FeedPoint[] {
    const points: FeedPoint[] = [];
    let previous: FeedSample | undefined;
    for (const sample of this.samples()) {
      const now = sample.feeds[source];
      const before = previous?.feeds[source];
      if (previous && now) {
        const seconds = Math.max(0.001, (sample.at - previous.at) / 1000);
        // A hub restart starts the counts again from zero: count that interval from zero, never negative.
        const handled = now.received - (before && before.received <= now.received ? before.received : 0);
        points.push({ at: sample.at, perSecond: handled / seconds, lag: now.lag });
      }
      previous = sample;
    }
    return points;
  }
}
