import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Readiness } from '../ingest/ingest-readiness.ts';
import type { ConnectorHealth } from '../operations/connector-health.ts';
import { AdminServer } from './admin-server.ts';
import type { IngestView } from './dashboard.ts';

describe('the admin HTTP port', () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('/readyz answers 503 with the failing check when a dependency does not answer, 200 when all do', async () => {
    let readiness: Readiness = { ready: false, checks: { kafka: { ok: true }, store: { ok: false, detail: 'no answer within 3000 ms' } } };
    server = await AdminServer.start({ registry: new Registry(), readiness: async () => readiness, port: 0 });
    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ checks: { store: { ok: false, detail: 'no answer within 3000 ms' } } });

    readiness = { ready: true, checks: { kafka: { ok: true }, store: { ok: true } } };
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('R26: /connectors lists every connector with its health; /healthz?detail=1 adds their states and stays 200 while a connector is down', async () => {
    const down = {
      connector: 'health.simulated.seed-1',
      state: 'down',
      reason: 'stopped cleanly: its last heartbeat, 1.0 s ago, said stopping',
    } as const;
    server = await AdminServer.start({
      registry: new Registry(),
      readiness: async () => ({ ready: true, checks: {} }),
      connectors: () => [down as unknown as ConnectorHealth],
      port: 0,
    });
    expect(await (await fetch(`${server.url}/connectors`)).json()).toEqual({ connectors: [down], retired: [] });
    const detail = await fetch(`${server.url}/healthz?detail=1`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toEqual({ live: true, connectors: [down] });
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok\n');
  });

  it('with `forward` (dancu hub --workers), answers /metrics, /readyz and /healthz itself and every other GET from the other admin server', async () => {
    const connector = { connector: 'health.simulated.seed-1', state: 'up' } as unknown as ConnectorHealth;
    const ingest = {
      stats: { bySource: new Map() },
      lag: async () => [],
      readDeadLetters: async () => {
        throw new Error('not here');
      },
      db: {},
    } as unknown as IngestView;
    const worker = await AdminServer.start({
      registry: new Registry(),
      readiness: async () => ({ ready: false, checks: {} }),
      connectors: () => [connector],
      dashboard: { ingest, sampleIntervalMs: 60_000 },
      port: 0,
    });
    try {
      server = await AdminServer.start({
        registry: { metrics: async () => 'dancu_up{worker="1"} 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
        readiness: async () => ({ ready: true, checks: { 'worker-1': { ok: true } } }),
        forward: worker.url,
        port: 0,
      });
      expect(await (await fetch(`${server.url}/metrics`)).text()).toBe('dancu_up{worker="1"} 1\n');
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok\n');
      expect(await (await fetch(`${server.url}/connectors`)).json()).toEqual({ connectors: [connector], retired: [] });
      expect(await (await fetch(`${server.url}/healthz?detail=1`)).json()).toEqual({
        live: true,
        connectors: [{ connector: 'health.simulated.seed-1', state: 'up' }],
      });
      expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
      // The caller's Host goes along: the dashboard behind still refuses a foreign name (DNS rebinding).
      const rebound = await new Promise<number>((resolve, reject) =>
        httpGet(`${server!.url}/`, { headers: { host: 'attacker.example:9464' } }, (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        }).on('error', reject),
      );
      expect(rebound).toBe(403);
      // A request target naming another server is still answered from the worker's admin port.
      const elsewhere = await AdminServer.start({
        registry: new Registry(),
        readiness: async () => ({ ready: true, checks: {} }),
        connectors: () => [],
        port: 0,
      });
      try {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(new URL(server!.url).port), '127.0.0.1', () =>
            socket.write(`GET ${elsewhere.url}/connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
          );
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        });
        expect(answer).toContain('health.simulated.seed-1');
      } finally {
        await elsewhere.close();
      }
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      await worker.close();
    }
    await server.close();
    server = undefined;
    const gone = await AdminServer.start({
      registry: new Registry(),
      readiness: async () => ({ ready: true, checks: {} }),
      forward: worker.url,
      port: 0,
    });
    server = gone;
    const unanswered = await fetch(`${gone.url}/connectors`);
    expect(unanswered.status).toBe(502);
    expect(await unanswered.text()).toMatch(/did not answer/);
  });
});
