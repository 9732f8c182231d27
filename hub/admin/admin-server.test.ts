import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminServer, type Readiness } from './admin-server.ts';

describe('the admin HTTP port', () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('R26: /readyz answers 503 with the failing check when a dependency does not answer, 200 when all do', async () => {
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
});
