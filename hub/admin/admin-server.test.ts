import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorHealth } from '../operations/connector-health.ts';
import { AdminServer } from './admin-server.ts';
import type { Readiness } from '../ingest/ingest-readiness.ts';

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
    const down = { connector: 'health.simulated.seed-1', state: 'down', reason: 'stopped cleanly: its last heartbeat, 1.0 s ago, said stopping' } as const;
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
});
