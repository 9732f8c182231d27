// The operator dashboard on the admin port: one static page (hub/admin/dashboard/, no build
// step) and the JSON it polls. Everything here is read-only and holds no personal data values:
// counts, reasons, field names, and traces read from Jaeger (trace-view.ts: allowlisted attributes).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from 'mongodb';
import type { PartitionLag } from '../../kafka/group-offsets.ts';
import { sourceTopic } from '../../kafka/topics.ts';
import { SOURCES } from '../../schemas/sources.ts';
import type { DeadLetterQueue } from '../ingest/dead-letter-queue.ts';
import type { SourceCounts } from '../ingest/ingest-stats.ts';
import { listTickets } from '../support/support-desk.ts';
import type { Ticket } from '../support/ticket.ts';
import { DeadLetterSummaries } from './dead-letter-summary.ts';
import { type FeedCounts, FeedHistory } from './feed-history.ts';
import { type ConnectorView, feedOverview, type RetiredConnectorView } from './feed-overview.ts';
import { InvalidSearch, searchJournal } from './journal-search.ts';
import { TraceSource, type TraceSourceOptions, TraceUnavailable } from './trace-view.ts';

/** What the dashboard reads from the hub's ingest; IngestService has this shape. */
export interface IngestView {
  stats: { bySource: ReadonlyMap<string, SourceCounts> };
  lag(): Promise<PartitionLag[]>;
  readDeadLetters(): Promise<DeadLetterQueue>;
  /** Where the journal lives. */
  readonly db: Db;
}

export interface DashboardOptions {
  ingest: IngestView;
  /** The connectors' health (the hub's heartbeat monitor); without it every feed's state is `unknown`. */
  connectors?: () => readonly ConnectorView[] | Promise<readonly ConnectorView[]>;
  /** Connectors retired from the live view (the hub's heartbeat monitor), listed apart as history. */
  retiredConnectors?: () => readonly RetiredConnectorView[];
  /** Where traces are read (DANCU_JAEGER_URL) and whether this hub exports spans; absent: tracing is off. */
  traces?: TraceSourceOptions;
  /** One sample of the feeds' counts and lag every so often (5 s), kept for historyWindowMs (10 min). */
  sampleIntervalMs?: number;
  historyWindowMs?: number;
  /** How old the dead-letter summary may get before it is read again (5 s). */
  deadLetterMaxAgeMs?: number;
}

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/support.js': { file: 'support.js', type: 'text/javascript; charset=utf-8' },
};

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The page's own script and style only; the trace links leave without a referrer.
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** The names the admin port answers to; anything else is a foreign page rebinding its DNS to 127.0.0.1. */
const LOOPBACK_HOSTS = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

export class Dashboard {
  private readonly files = new Map<string, Buffer>();
  private readonly history: FeedHistory;
  private readonly deadLetters: DeadLetterSummaries;
  private readonly traces: TraceSource;

  private constructor(private readonly options: DashboardOptions) {
    this.traces = new TraceSource(options.traces ?? { jaegerUrl: undefined, hubExports: false });
    for (const { file } of Object.values(STATIC_FILES)) this.files.set(file, readFileSync(new URL(`./dashboard/${file}`, import.meta.url)));
    this.history = new FeedHistory({
      read: () => feedCounts(options.ingest),
      ...(options.sampleIntervalMs === undefined ? {} : { intervalMs: options.sampleIntervalMs }),
      ...(options.historyWindowMs === undefined ? {} : { windowMs: options.historyWindowMs }),
    });
    this.deadLetters = new DeadLetterSummaries(() => options.ingest.readDeadLetters(), options.deadLetterMaxAgeMs);
  }

  /** Starts sampling the feeds at once, so the charts have history before anyone opens the page. */
  static start(options: DashboardOptions): Dashboard {
    const dashboard = new Dashboard(options);
    dashboard.history.start();
    return dashboard;
  }

  stop(): void {
    this.history.stop();
  }

  /** Answers a GET for the page or its JSON; false when the path is not the dashboard's. */
  serve(url: URL, request: IncomingMessage, response: ServerResponse): boolean {
    const asset = STATIC_FILES[url.pathname];
    if (!asset && !url.pathname.startsWith('/api/')) return false;
    if (!LOOPBACK_HOSTS.test(request.headers.host ?? '')) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('the dashboard answers only to 127.0.0.1, localhost or [::1]\n');
    } else if (asset) {
      response.writeHead(200, { ...HEADERS, 'content-type': asset.type }).end(this.files.get(asset.file));
    } else if (url.pathname === '/api/overview') {
      this.answer(response, () => this.overview());
    } else if (url.pathname === '/api/dead-letters') {
      this.answer(response, () => this.deadLetters.current());
    } else if (url.pathname === '/api/support') {
      this.answer(response, async () => ({ tickets: (await listTickets(this.options.ingest.db, { status: 'open' })).map(ticketLine) }));
    } else if (url.pathname === '/api/journal') {
      this.answer(response, async () => ({ entries: await searchJournal(this.options.ingest.db, url.searchParams) }));
    } else if (url.pathname === '/api/tracing') {
      this.answer(response, async () => this.traces.status());
    } else if (url.pathname === '/api/traces' && url.searchParams.has('event')) {
      this.answer(response, () => this.traces.traceOfEvent(url.searchParams.get('event') ?? ''));
    } else if (url.pathname.startsWith('/api/traces/')) {
      this.answer(response, () => this.traces.trace(decodeURIComponent(url.pathname.slice('/api/traces/'.length))));
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(
          'not found: the dashboard has /api/overview, /api/dead-letters, /api/journal, /api/support, /api/tracing, /api/traces/<trace id> and /api/traces?event=<event id>\n',
        );
    }
    return true;
  }

  private async overview() {
    return feedOverview({
      counts: this.options.ingest.stats.bySource,
      history: this.history,
      connectors: this.options.connectors ? await this.options.connectors() : undefined,
      retired: this.options.retiredConnectors?.() ?? [],
      now: Date.now(),
    });
  }

  private answer(response: ServerResponse, body: () => Promise<unknown>): void {
    body()
      .then((value) => response.writeHead(200, { ...HEADERS, 'content-type': 'application/json' }).end(`${JSON.stringify(value)}\n`))
      .catch((error: unknown) => {
        const known = error instanceof InvalidSearch || error instanceof TraceUnavailable;
        const status = error instanceof TraceUnavailable ? error.status : error instanceof InvalidSearch ? 400 : 500;
        const message = known ? error.message : `the hub could not answer: ${error instanceof Error ? error.message : String(error)}`;
        response.writeHead(status, { ...HEADERS, 'content-type': 'application/json' }).end(`${JSON.stringify({ error: message })}\n`);
      });
  }
}

/** R36: an open ticket as the dashboard lists it: no message text, which `dancu support show` gives. */
function ticketLine(ticket: Ticket) {
  const last = ticket.messages.at(-1);
  return {
    id: ticket._id,
    kind: ticket.kind,
    severity: ticket.severity,
    organisation: ticket.organisation,
    subject: ticket.subject,
    openedAt: ticket.openedAt,
    updatedAt: ticket.updatedAt,
    awaiting: last?.from === 'operator' ? 'organisation' : 'operator',
  };
}

/** The hub's running counts and its lag, by source. */
async function feedCounts(ingest: IngestView): Promise<Record<string, FeedCounts>> {
  const lags = await ingest.lag().catch(() => undefined);
  const feeds: Record<string, FeedCounts> = {};
  for (const source of SOURCES) {
    const counts = ingest.stats.bySource.get(source) ?? { received: 0, applied: 0, duplicates: 0, rejected: 0, changes: 0 };
    const topic = sourceTopic(source);
    const lag = lags?.filter((partition) => partition.topic === topic).reduce((total, partition) => total + partition.lag, 0) ?? null;
    feeds[source] = { ...counts, lag };
  }
  return feeds;
}
