// The live table `dancu start` and `dancu hub` show: per source, what the connectors published
// and what the hub applied, rejected and still has to read (lag).
import { SOURCES, type SourceName } from '../kafka/topics.ts';
import type { ConnectorSummary } from '../connectors/sdk/source-connector.ts';
import type { IngestService } from '../hub/ingest/ingest-service.ts';

export interface LiveCountsOptions {
  hub?: IngestService;
  connectors?: Map<SourceName, ConnectorSummary>;
  intervalMs?: number;
}

export class LiveCounts {
  private timer: NodeJS.Timeout | undefined;
  private lag = new Map<SourceName, number>();
  private drawnLines = 0;
  private readonly tty = process.stdout.isTTY === true;

  constructor(private readonly options: LiveCountsOptions) {}

  start(): void {
    const interval = this.options.intervalMs ?? (this.tty ? 1_000 : 5_000);
    this.timer = setInterval(() => void this.tick(), interval);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  printFinal(): void {
    this.draw(true);
  }

  private async tick(): Promise<void> {
    try {
      const lags = (await this.options.hub?.lag()) ?? [];
      const next = new Map<SourceName, number>();
      for (const entry of lags) {
        const source = SOURCES.find((name) => entry.topic === `dancu.source.${name}.v1`);
        if (source) next.set(source, (next.get(source) ?? 0) + entry.lag);
      }
      this.lag = next;
    } catch {
      // Lag is best effort: Kafka may be rebalancing; the next tick tries again.
    }
    this.draw(false);
  }

  private draw(final: boolean): void {
    const rows = [['source', 'published', 'applied', 'duplicates', 'rejected', 'lag']];
    for (const source of SOURCES) {
      const published = this.options.connectors?.get(source);
      const hub = this.options.hub?.stats.bySource.get(source);
      rows.push([
        source,
        published ? String(published.published) : '-',
        hub ? String(hub.applied) : '-',
        hub ? String(hub.duplicates) : '-',
        String((hub?.rejected ?? 0) + (published?.rejected ?? 0)),
        this.options.hub ? String(this.lag.get(source) ?? 0) : '-',
      ]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    const lines = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
    const reasons = this.options.hub ? [...this.options.hub.stats.rejectedByReason].map(([reason, count]) => `${reason} ${count}`) : [];
    if (reasons.length > 0) lines.push(`hub rejects by reason: ${reasons.join(', ')}`);
    if (this.tty && !final && this.drawnLines > 0) process.stdout.write(`\x1b[${this.drawnLines}A\x1b[J`);
    process.stdout.write(`${lines.join('\n')}\n`);
    this.drawnLines = this.tty && !final ? lines.length : 0;
    if (!this.tty && !final) process.stdout.write('\n');
  }
}
