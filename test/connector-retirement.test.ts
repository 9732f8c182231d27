// Retiring connectors from the live view, on the real Kafka and FerretDB: for silence, and by an
// officer with `dancu connectors retire` (journaled, refused for anyone else), and back on a new beat.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../hub/admin/admin-server.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { healthThresholds } from '../hub/operations/health-thresholds.ts';
import type { RetiredConnector } from '../hub/operations/heartbeat-monitor.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { HEARTBEATS_TOPIC } from '../kafka/topics.ts';
import type { Heartbeat } from '../schemas/heartbeat.ts';
import { cliEnv, DANCU_BIN, officerPki, startTestHub, type TestHub, testKafka, waitFor } from './harness.ts';

const run = promisify(execFile);
const RETIRE_AFTER_MS = 4_000;

describe('retiring connectors from the live view', () => {
  // Two hubs on the same heartbeats: one retires silent connectors after 4 s, the other after the
  // default hour (so a connector retired by hand there was certainly not retired for silence).
  let quick: TestHub;
  let quickAdmin: AdminServer;
  let hub: TestHub;
  let admin: AdminServer;
  let publisher: RecordPublisher;
  let pki: { dir: string; remove: () => Promise<void> };

  const adminOf = (test: TestHub) =>
    AdminServer.start({
      registry: test.hub.metrics.registry,
      readiness: () => test.hub.readiness(),
      connectors: () => test.monitor.connectors(),
      retiredConnectors: () => test.monitor.retired(),
      port: 0,
    });

  beforeAll(async () => {
    quick = await startTestHub({
      connectorHealth: healthThresholds({ degradedAfterMs: 1_000, downAfterMs: 2_000, retireAfterMs: RETIRE_AFTER_MS }),
    });
    quickAdmin = await adminOf(quick);
    hub = await startTestHub();
    admin = await adminOf(hub);
    publisher = new RecordPublisher(testKafka());
    // An officer with the operator certificate the CLI acts with (`--officer c06-ops`).
    pki = await officerPki('dancu-retire', hub.database, 'c06-ops');
  });

  afterAll(async () => {
    await pki?.remove();
    await publisher?.close();
    await quickAdmin?.close();
    await quick?.stop();
    await admin?.close();
    await hub?.stop();
  });

  async function beat(connector: string): Promise<void> {
    const at = new Date().toISOString();
    const heartbeat: Heartbeat = {
      connector,
      kind: 'source',
      topic: 'dancu.source.health.v1',
      state: 'running',
      position: { read: 1, checkpoint: 1 },
      counts: { published: 1, rejected: 0, skipped: 0 },
      lastError: null,
      version: '0.1.0',
      startedAt: at,
      at,
      intervalMs: 5_000,
    };
    await publisher.publish(HEARTBEATS_TOPIC, [{ key: connector, value: JSON.stringify(heartbeat) }]);
  }

  async function where(connector: string, on: AdminServer = admin): Promise<'live' | RetiredConnector | undefined> {
    const body = (await (await fetch(`${on.url}/connectors`)).json()) as { connectors: ConnectorHealth[]; retired: RetiredConnector[] };
    if (body.connectors.some((entry) => entry.connector === connector)) return 'live';
    return body.retired.find((entry) => entry.connector === connector);
  }

  async function dancu(...args: string[]): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [DANCU_BIN, ...args], {
        env: cliEnv({ DANCU_DB: hub.database, DANCU_PKI_DIR: pki.dir }),
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
    }
  }

  it('R26: a connector not heard from for the configured time leaves the live view and the metrics for the history; a new beat brings it back', async () => {
    const connector = `health.retire-test.${randomUUID().slice(0, 8)}`;
    await beat(connector);
    const retired = await waitFor(
      `${connector} retired`,
      async () => {
        const found = await where(connector, quickAdmin);
        return found && found !== 'live' ? found : undefined;
      },
      RETIRE_AFTER_MS + 30_000,
    );
    expect(retired.retirement).toMatchObject({ by: null, reason: 'not heard from for more than 4 s' });
    expect(Date.parse(retired.retirement.at) - Date.parse(retired.lastHeartbeatAt)).toBe(RETIRE_AFTER_MS);
    expect(retired.state).toBe('down'); // its last known health is kept in the history
    expect(await (await fetch(`${quickAdmin.url}/metrics`)).text()).not.toContain(connector);
    await waitFor(`${connector} still live on the hub that retires after an hour`, async () =>
      (await where(connector)) === 'live' ? true : undefined,
    );

    // It runs again, beating every second as connectors do: live again.
    await waitFor(
      `${connector} live again`,
      async () => {
        await beat(connector);
        return (await where(connector, quickAdmin)) === 'live' ? true : undefined;
      },
      30_000,
    );
  });

  it('R26, R35: `dancu connectors retire` by an authenticated officer is journaled and moves the connector to the history on the hub; anyone else is refused, and that is journaled too', async () => {
    const connector = `health.retire-by-hand.${randomUUID().slice(0, 8)}`;
    await beat(connector);
    await waitFor(`${connector} live`, async () => ((await where(connector)) === 'live' ? true : undefined));

    const refused = await dancu('connectors', 'retire', connector, '--officer', 'someone', '--reason', 'test run over');
    expect(refused.code).toBe(3); // refused
    expect(refused.output).toContain('someone is not an authenticated officer');
    expect(await where(connector)).toBe('live');

    // A reason that quotes a personal id keeps it out of the journal and the history.
    const done = await dancu(
      'connectors',
      'retire',
      connector,
      '--officer',
      'c06-ops',
      '--reason',
      'one-off import finished (last record 001090012345)',
    );
    expect(done.code).toBe(0);
    expect(done.output).toContain(`connector ${connector} retired by c06-ops`);
    const retired = await waitFor(
      `${connector} retired by hand`,
      async () => {
        const found = await where(connector);
        return found && found !== 'live' ? found : undefined;
      },
      20_000,
    );
    expect(retired.retirement).toMatchObject({ by: 'c06-ops', reason: 'one-off import finished (last record •••)' });

    const entries = (await queryJournal(hub.store.db, { limit: 50 })).filter((entry) => entry.act === 'connector-retirement');
    expect(entries.map((entry) => [entry.actor.officer, entry.decision, entry.reason ?? null])).toEqual([
      ['c06-ops', 'done', null],
      ['someone', 'refused', 'NOT_AN_OPERATOR'],
    ]);
    expect(entries[0]!.detail).toContain(connector);
    expect(JSON.stringify(entries)).not.toContain('001090012345');

    expect((await dancu('connectors', 'retire', 'not a connector!', '--officer', 'c06-ops', '--reason', 'x')).output).toContain(
      'is not a connector id',
    );

    await beat(connector); // it runs again: live again
    await waitFor(`${connector} live again`, async () => ((await where(connector)) === 'live' ? true : undefined));
  });
});
