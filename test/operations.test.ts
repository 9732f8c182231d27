// Connector health over gRPC, for operator tools: the Operations service (operator certificate
// only) and grpc.health.v1, one entry per connector.
import { type Client, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { OperationsClient } from '../proto/gen/dancu/operations/v1/operations.ts';
import { call, type ExchangeFixture, startExchangeFixture } from './exchange-fixture.ts';
import { waitFor } from './harness.ts';

function connector(id: string, state: ConnectorHealth['state']): ConnectorHealth {
  const now = new Date().toISOString();
  return {
    connector: id,
    kind: 'source',
    topic: 'dancu.source.residence.v1',
    state,
    reason: state === 'healthy' ? 'running, last heartbeat 1 s ago' : 'no heartbeat for 20 s (degraded after 15 s)',
    reportedState: 'running',
    heartbeatAgeSeconds: state === 'healthy' ? 1 : 20,
    lastHeartbeatAt: now,
    startedAt: now,
    version: '0.1.0',
    position: { read: 10, checkpoint: 10 },
    counts: { published: 9, rejected: 1, skipped: 0 },
    errorRate: null,
    lag: 0,
    lastError: null,
  } as ConnectorHealth;
}

type HealthClient = Client & {
  check(request: { service: string }, callback: (error: ServiceError | null, response: { status: string }) => void): void;
};

describe('connector health over gRPC', () => {
  let fx: ExchangeFixture;
  const connectors = [connector('residence.feed-a', 'healthy'), connector('health.feed-b', 'degraded')];

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 2, connectors: () => connectors });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R26: an operator lists every connector with its state and reason; a system certificate is refused', async () => {
    const operations = new OperationsClient(fx.address, await fx.operatorCredentials('c06-head'));
    const listed = await call(operations, 'listConnectors', {});
    expect(listed.ok && listed.response.connectors.map(({ connector: id, state, reason }) => ({ id, state, reason }))).toEqual([
      { id: 'residence.feed-a', state: 'healthy', reason: 'running, last heartbeat 1 s ago' },
      { id: 'health.feed-b', state: 'degraded', reason: 'no heartbeat for 20 s (degraded after 15 s)' },
    ]);
    const system = await fx.register({
      organisation: 'vss',
      category: 'CENTRAL_STATE_BODY',
      system: 'vss-ops',
      services: ['Lookup'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: [{ field: 'sex', modes: ['disclose'] }],
    });
    expect(await call(new OperationsClient(fx.address, system.credentials), 'listConnectors', {})).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'NOT_AN_OPERATOR',
    });
  });

  it('R26: grpc.health.v1 reports each connector: SERVING while healthy, NOT_SERVING otherwise', async () => {
    const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (address: string, credentials: unknown) => HealthClient } } };
    };
    const health = new definition.grpc.health.v1.Health(fx.address, await fx.operatorCredentials('c06-head'));
    const check = (service: string) =>
      new Promise<string>((resolve) =>
        health.check({ service }, (error, response) => resolve(error ? `error ${error.code}` : response.status)),
      );
    expect(
      await waitFor(
        'the connectors in grpc.health.v1',
        async () => ((await check('dancu.connector.health.feed-b')) === 'NOT_SERVING' ? true : undefined),
        15_000,
      ),
    ).toBe(true);
    expect(await check('dancu.connector.residence.feed-a')).toBe('SERVING');
    expect(await check('dancu.exchange.v1.Exchange')).toBe('SERVING');
    health.close();
  });
});
