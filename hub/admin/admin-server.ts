// The hub's HTTP admin port: Prometheus metrics, liveness and readiness, connector health and the
// operator dashboard, on loopback by default.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from '../ingest/ingest-readiness.ts';
import type { ConnectorHealth } from '../operations/connector-health.ts';
import type { RetiredConnector } from '../operations/heartbeat-monitor.ts';
import { Dashboard, type DashboardOptions } from './dashboard.ts';

export interface AdminServerOptions {
  /** GET /metrics: a prom-client registry, or what stands for several (`dancu hub --workers`: every worker's, cli/hub-workers.ts). */
  registry: { metrics(): Promise<string>; readonly contentType: string };
  /** Asked on each GET /readyz: 200 when ready, else 503, with the checks as JSON. */
  readiness: () => Promise<Readiness>;
  /** GET /connectors and GET /healthz?detail=1: the connectors' health; an empty list when absent. */
  connectors?: () => ConnectorHealth[];
  /** GET /connectors lists these too, as `retired`: connectors out of the live view (connector-retirement.ts). */
  retiredConnectors?: () => RetiredConnector[];
  /** GET / (the page) and /api/*: the operator dashboard; absent, those paths are 404. */
  dashboard?: DashboardOptions;
  port: number;
  host?: string;
  /** A port of this process's own even in a cluster worker, where a listen would otherwise share the primary's. */
  exclusive?: boolean;
  /**
   * Another admin server's base URL that answers every GET but /metrics, /readyz and a bare
   * /healthz (the dashboard, /connectors): `dancu hub --workers` serves them from worker 1.
   */
  forward?: string;
}

/** Headers about one connection, not the answer: not passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/**
 * Answers a GET with what the admin server at `base` answers to the same path and query (only
 * those: a request target naming another host goes to `base` all the same). The caller's Host goes
 * along, so that the dashboard there still answers only to loopback names (DNS rebinding, dashboard.ts).
 */
function forward(base: string, url: URL, request: IncomingMessage, response: ServerResponse): void {
  const target = new URL(base);
  target.pathname = url.pathname;
  target.search = url.search;
  const headers = { accept: request.headers.accept ?? '*/*', host: request.headers.host ?? '' };
  const upstream = httpRequest(target, { method: 'GET', headers }, (answer: IncomingMessage) => {
    const kept = Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name));
    response.writeHead(answer.statusCode ?? 502, Object.fromEntries(kept));
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`the admin server at ${base} did not answer: ${error.message}\n`);
  });
  upstream.end();
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

export class AdminServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly dashboard: Dashboard | undefined,
  ) {}

  /** Listens on host:port (port 0: any free port; see `url`). */
  static async start(options: AdminServerOptions): Promise<AdminServer> {
    const dashboard = options.dashboard ? Dashboard.start(options.dashboard) : undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://admin');
      const path = url.pathname;
      const connectors = (): ConnectorHealth[] => options.connectors?.() ?? [];
      const own = path === '/metrics' || path === '/readyz' || (path === '/healthz' && !url.searchParams.has('detail'));
      if (request.method !== 'GET') {
        response.writeHead(405, { allow: 'GET' }).end('only GET\n');
      } else if (options.forward && !own) {
        forward(options.forward, url, request, response);
      } else if (path === '/metrics') {
        options.registry
          .metrics()
          .then((text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
          .catch((error: unknown) => response.writeHead(500).end(`metrics unavailable: ${String(error)}\n`));
      } else if (path === '/readyz') {
        options
          .readiness()
          .then((result) =>
            response.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(result)}\n`),
          )
          .catch((error: unknown) =>
            response.writeHead(503, { 'content-type': 'text/plain' }).end(`readiness check failed: ${String(error)}\n`),
          );
      } else if (path === '/healthz' && url.searchParams.get('detail') === '1') {
        // Still a liveness answer (200 while the process runs): a down connector is not a reason to restart the hub.
        const summary = connectors().map(({ connector, state, reason }) => ({ connector, state, reason }));
        json(response, { live: true, connectors: summary });
      } else if (path === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/connectors') {
        json(response, { connectors: connectors(), retired: options.retiredConnectors?.() ?? [] });
      } else if (!dashboard?.serve(url, request, response)) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /, /metrics, /healthz, /readyz or /connectors\n');
      }
    });
    const host = options.host ?? '127.0.0.1';
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: options.port, host, exclusive: options.exclusive ?? false }, resolve);
      });
    } catch (error) {
      dashboard?.stop();
      throw error;
    }
    const { port } = server.address() as AddressInfo;
    return new AdminServer(server, `http://${host}:${port}`, dashboard);
  }

  close(): Promise<void> {
    this.dashboard?.stop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
