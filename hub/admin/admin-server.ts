// The hub's HTTP admin port: Prometheus metrics and liveness, on loopback by default.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface AdminServerOptions {
  registry: Registry;
  port: number;
  host?: string;
}

export class AdminServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on host:port (port 0: any free port; see `url`). */
  static async start(options: AdminServerOptions): Promise<AdminServer> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://admin').pathname;
      if (request.method !== 'GET') {
        response.writeHead(405, { allow: 'GET' }).end('only GET\n');
      } else if (path === '/metrics') {
        options.registry
          .metrics()
          .then((text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
          .catch((error: unknown) => response.writeHead(500).end(`metrics unavailable: ${String(error)}\n`));
      } else if (path === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      }
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    return new AdminServer(server, `http://${host}:${port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
