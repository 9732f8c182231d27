// The hub's HTTP admin port: Prometheus metrics, liveness and readiness, connector health and the
// operator dashboard, on loopback by default.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ConnectorHealth } from '../operations/connector-health.ts';
import type { RetiredConnector } from '../operations/heartbeat-monitor.ts';
import type { Readiness } from '../ingest/ingest-readiness.ts';
import { Dashboard, type DashboardOptions } from './dashboard.ts';

export interface AdminServerOptions {
  registry: Registry;
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
      if (request.method !== 'GET') {
        response.writeHead(405, { allow: 'GET' }).end('only GET\n');
      } else if (path === '/metrics') {
        options.registry
          .metrics()
          .then((text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
          .catch((error: unknown) => response.writeHead(500).end(`metrics unavailable: ${String(error)}\n`));
      } else if (path === '/readyz') {
        options
          .readiness()
          .then((result) => response.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(result)}\n`))
          .catch((error: unknown) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`readiness check failed: ${String(error)}\n`));
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
        server.listen(options.port, host, resolve);
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
