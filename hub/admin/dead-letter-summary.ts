// The dashboard's view of the dead-letter queue: counts by reason with the latest example's
// detail, never the record itself (its bytes, key and headers hold personal data).
//
// Reading dancu.dlq.v1 means reading the whole topic (`dancu dlq list` does the same), a few
// seconds with a consumer to join; so the summary is kept and refreshed in the background when
// older than maxAgeMs, and every page poll is answered at once from the last one.

import { HEADERS } from '../../kafka/topics.ts';
import { traceIdOf } from '../../telemetry/trace-context.ts';
import { type DeadLetterQueue, groupByReason } from '../ingest/dead-letter-queue.ts';
import { redactValues } from './redact-values.ts';

export interface DeadLetterReasonView {
  reason: string;
  count: number;
  bySourceTopic: Record<string, number>;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** Where the latest letter came from and why: the detail with any quoted values taken out. */
  latest: { sourceTopic: string; partition: number; offset: string; path?: string; detail: string; traceId: string | null };
}

export interface DeadLetterSummary {
  /** When the topic was last read (ISO 8601); null before the first read finished. */
  readAt: string | null;
  total: number;
  unreadable: number;
  reasons: DeadLetterReasonView[];
  /** Why the last refresh failed, when it did (the previous summary is still shown). */
  error?: string;
}

export function summariseDeadLetters(queue: DeadLetterQueue, readAt: Date): DeadLetterSummary {
  return {
    readAt: readAt.toISOString(),
    total: queue.letters.length,
    unreadable: queue.unreadable,
    reasons: groupByReason(queue.letters).map((group) => ({
      reason: group.reason,
      count: group.count,
      bySourceTopic: group.bySourceTopic,
      firstRejectedAt: group.firstRejectedAt,
      lastRejectedAt: group.lastRejectedAt,
      latest: {
        sourceTopic: group.latest.sourceTopic,
        partition: group.latest.partition,
        offset: group.latest.offset,
        ...(group.latest.path === undefined ? {} : { path: group.latest.path }),
        detail: redactValues(group.latest.detail),
        // The record's trace (the hub continued it): the dashboard's trace view draws it.
        traceId: traceIdOf(group.latest.headers?.[HEADERS.traceparent] ?? undefined) ?? null,
      },
    })),
  };
}

export class DeadLetterSummaries {
  private summary: DeadLetterSummary = { readAt: null, total: 0, unreadable: 0, reasons: [] };
  private readAtMs = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    /** Reads the whole dead-letter topic (IngestService.readDeadLetters). */
    private readonly read: () => Promise<DeadLetterQueue>,
    private readonly maxAgeMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last summary; the first call waits for the first read, later ones never wait. */
  async current(): Promise<DeadLetterSummary> {
    if (this.now() - this.readAtMs > this.maxAgeMs) this.refreshing ??= this.refresh();
    if (this.summary.readAt === null) await this.refreshing;
    return this.summary;
  }

  private async refresh(): Promise<void> {
    try {
      const started = this.now();
      this.summary = summariseDeadLetters(await this.read(), new Date(started));
      this.readAtMs = started;
    } catch (error) {
      this.summary = {
        ...this.summary,
        error: `could not read the dead-letter queue: ${error instanceof Error ? error.message : String(error)}`,
      };
      this.readAtMs = this.now(); // try again after maxAgeMs, not on every poll
    } finally {
      this.refreshing = undefined;
    }
  }
}
