// The live counts `dancu start` and `dancu hub` show: per source, what the connectors published
// and what the hub applied, rejected and still has to read (lag). On a terminal a table redrawn in
// place; elsewhere one plain line per source and tick (live-screen.ts).
import { join } from 'node:path';
import type { ConnectorSummary } from '../connectors/sdk/source-connector.ts';
import type { IngestService } from '../hub/ingest/ingest-service.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { SOURCES, type SourceName } from '../schemas/sources.ts';
import { LiveScreen } from './live-screen.ts';
import { dancuHome } from './settings.ts';

export interface LiveCountsOptions {
  hub?: Pick<IngestService, 'stats' | 'lag'>;
  connectors?: Map<SourceName, ConnectorSummary>;
  intervalMs?: number;
  /** Where to draw; default stdout, with lines printed meanwhile on a terminal kept in $DANCU_HOME/logs/dancu-<logName>.log. */
  screen?: LiveScreen;
  /** `start` or `hub`: names the log file. */
  logName?: string;
}

/** One source's figures; null where nobody reports them. */
export interface LiveRow {
  source: SourceName;
  published: number | null;
  applied: number | null;
  duplicates: number | null;
  rejected: number;
  lag: number | null;
}

const COLUMNS = ['published', 'applied', 'duplicates', 'rejected', 'lag'] as const;
const cell = (value: number | null): string => (value === null ? '-' : String(value));

/** An aligned table, header first; the hub's reject reasons below it. */
export function tableLines(rows: readonly LiveRow[], reasons: readonly string[]): string[] {
  const cells = [['source', ...COLUMNS], ...rows.map((row) => [row.source, ...COLUMNS.map((column) => cell(row[column]))])];
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const lines = cells.map((line) =>
    line.map((text, column) => (column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join('  '),
  );
  if (reasons.length > 0) lines.push(`hub rejects by reason: ${reasons.join(', ')}`);
  return lines;
}

/** One plain `name=value` line per source (for logs and pipes), and the reasons. */
export function plainLines(rows: readonly LiveRow[], reasons: readonly string[]): string[] {
  const lines = rows.map((row) => `${row.source} ${COLUMNS.map((column) => `${column}=${cell(row[column])}`).join(' ')}`);
  if (reasons.length > 0) lines.push(`hub rejects by reason: ${reasons.join(', ')}`);
  return lines;
}

export class LiveCounts {
  private timer: NodeJS.Timeout | undefined;
  private lag = new Map<SourceName, number>();
  readonly screen: LiveScreen;

  constructor(private readonly options: LiveCountsOptions) {
    this.screen = options.screen ?? new LiveScreen(process.stdout, join(dancuHome(), 'logs', `dancu-${options.logName ?? 'start'}.log`));
  }

  start(): void {
    const interval = this.options.intervalMs ?? (this.screen.tty ? 1_000 : 5_000);
    this.screen.start();
    this.timer = setInterval(() => void this.tick(), interval);
  }

  /** Stops drawing and gives the console back (call it as soon as a stop begins: stop messages must show). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.screen.stop();
  }

  /** The last figures, as a table, below whatever is on screen. */
  printFinal(): void {
    this.screen.note(tableLines(this.rows(), this.reasons()).join('\n'));
  }

  /** Reads the lag and draws once (the timer calls it; tests too). */
  async tick(): Promise<void> {
    try {
      const lags = (await this.options.hub?.lag()) ?? [];
      const next = new Map<SourceName, number>();
      for (const entry of lags) {
        const source = SOURCES.find((name) => entry.topic === sourceTopic(name));
        if (source) next.set(source, (next.get(source) ?? 0) + entry.lag);
      }
      this.lag = next;
    } catch {
      // Lag is best effort: Kafka may be rebalancing; the next tick tries again.
    }
    const rows = this.rows();
    this.screen.show(this.screen.tty ? tableLines(rows, this.reasons()) : plainLines(rows, this.reasons()));
  }

  private rows(): LiveRow[] {
    return SOURCES.map((source) => {
      const published = this.options.connectors?.get(source);
      const hub = this.options.hub?.stats.bySource.get(source);
      return {
        source,
        published: published ? published.published : null,
        applied: hub ? hub.applied : null,
        duplicates: hub ? hub.duplicates : null,
        rejected: (hub?.rejected ?? 0) + (published?.rejected ?? 0),
        lag: this.options.hub ? (this.lag.get(source) ?? 0) : null,
      };
    });
  }

  private reasons(): string[] {
    return this.options.hub ? [...this.options.hub.stats.rejectedByReason].map(([reason, count]) => `${reason} ${count}`) : [];
  }
}
