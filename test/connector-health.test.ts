import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../hub/admin/admin-server.ts';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { healthThresholds } from '../hub/operations/health-thresholds.ts';
import { cliEnv, DANCU_BIN, startTestHub, type TestHub, waitFor } from './harness.ts';

const DEGRADED_AFTER_MS = 1_500;
const DOWN_AFTER_MS = 3_000;

describe('connector health on the real Kafka', () => {
  let hub: TestHub;
  let admin: AdminServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    hub = await startTestHub({ connectorHealth: healthThresholds({ degradedAfterMs: DEGRADED_AFTER_MS, downAfterMs: DOWN_AFTER_MS }) });
    admin = await AdminServer.start({
      registry: hub.hub.metrics.registry,
      readiness: () => hub.hub.readiness(),
      connectors: () => hub.monitor.connectors(),
      port: 0,
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await admin?.close();
    await hub?.stop();
  });

  it('R26: a running connector is healthy; killed without its final heartbeat it turns down once its last beat is older than the threshold; restarted it is healthy again; stopped cleanly it is down at once', async () => {
    const home = await mkdtemp(join(tmpdir(), 'dancu-health-'));
    const seed = Math.floor(Math.random() * 1e9) + 1;
    const connector = `civil-status.simulated.seed-${seed}`;
    const run = (): ChildProcess => {
      const child = spawn(
        process.execPath,
        [DANCU_BIN, 'connector', 'civil-status', '--seed', String(seed), '--citizens', '2000', '--rate', '20'],
        {
          env: cliEnv({ DANCU_HOME: home, DANCU_HEARTBEAT_INTERVAL_MS: '300', OTEL_SDK_DISABLED: 'true' }),
          stdio: 'ignore',
        },
      );
      children.push(child);
      return child;
    };
    const health = async (): Promise<ConnectorHealth | undefined> => {
      const body = (await (await fetch(`${admin.url}/connectors`)).json()) as { connectors: ConnectorHealth[] };
      return body.connectors.find((entry) => entry.connector === connector);
    };
    const inState = (state: ConnectorHealth['state'], timeoutMs: number, also: (found: ConnectorHealth) => boolean = () => true) =>
      waitFor(
        `${connector} ${state}`,
        async () => {
          const found = await health();
          return found?.state === state && also(found) ? found : undefined;
        },
        timeoutMs,
      );

    const first = run();
    const running = await inState('healthy', 60_000);
    expect(running).toMatchObject({ kind: 'source', topic: 'dancu.source.civil-status.v1' });

    first.kill('SIGKILL');
    // Degraded, then down, as the last heartbeat ages (the thresholds to the millisecond are
    // hub/operations/connector-health.test.ts's). A poll may come after both on a busy machine, so
    // this waits for down alone, with room: no clock is asserted here.
    const down = await inState('down', 60_000);
    expect(down.reason).toMatch(/^no heartbeat for .* \(down after 3\.0 s\)$/);

    const metrics = await (await fetch(`${admin.url}/metrics`)).text();
    expect(metrics).toContain(`dancu_connector_state{connector="${connector}",state="down"} 1`);
    expect(metrics).toContain(`dancu_connector_state{connector="${connector}",state="healthy"} 0`);
    expect(metrics).toMatch(new RegExp(`dancu_connector_heartbeat_age_seconds\\{connector="${connector}"\\} \\d`));

    const second = run();
    const back = await inState('healthy', 60_000, (found) => found.startedAt !== down.startedAt);
    expect(back.position.checkpoint).toBeGreaterThanOrEqual(down.position.checkpoint); // resumed, not restarted from zero

    second.kill('SIGINT');
    // Down because its last beat said stopping (the reason says so), not because the beat aged.
    const stopped = await inState('down', 60_000, (found) => found.reportedState === 'stopping');
    expect(stopped.reason).toContain('stopped cleanly');
    const detail = (await (await fetch(`${admin.url}/healthz?detail=1`)).json()) as {
      live: boolean;
      connectors: Array<{ connector: string; state: string }>;
    };
    expect(detail.live).toBe(true);
    expect(detail.connectors).toContainEqual(expect.objectContaining({ connector, state: 'down' }));
  });
});
