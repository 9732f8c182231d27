import type { SourceName } from '../../schemas/sources.ts';
import type { BatchOutcome } from './ingest-batch.ts';

export interface SourceCounts {
  received: number;
  applied: number;
  duplicates: number;
  rejected: number;
  changes: number;
}

/** Running totals of the hub's ingest, per source and per reject reason, for live displays. */
export class IngestStats {
  readonly bySource = new Map<SourceName | 'unknown', SourceCounts>();
  readonly rejectedByReason = new Map<string, number>();
  batches = 0;

  record(outcome: BatchOutcome): void {
    this.batches += 1;
    const key = outcome.source ?? 'unknown';
    const counts = this.bySource.get(key) ?? { received: 0, applied: 0, duplicates: 0, rejected: 0, changes: 0 };
    counts.received += outcome.received;
    counts.applied += outcome.applied;
    counts.duplicates += outcome.duplicates;
    counts.changes += outcome.changes;
    for (const [reason, count = 0] of Object.entries(outcome.rejected)) {
      counts.rejected += count;
      this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + count);
    }
    this.bySource.set(key, counts);
  }

  total(): SourceCounts {
    const total: SourceCounts = { received: 0, applied: 0, duplicates: 0, rejected: 0, changes: 0 };
    for (const counts of this.bySource.values()) {
      total.received += counts.received;
      total.applied += counts.applied;
      total.duplicates += counts.duplicates;
      total.rejected += counts.rejected;
      total.changes += counts.changes;
    }
    return total;
  }
}
