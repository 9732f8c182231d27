// `dancu hub --workers 2` (cli/hub-workers.ts): one hub in two worker processes sharing the gRPC
// port, each a hub instance journaling on a chain of its own; one admin port for both; SIGTERM
// stops both. On the real Kafka and FerretDB, with a real hub process.
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainEntries } from '../hub/journal/journal-chain.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { SOURCES } from '../schemas/sources.ts';
import { HubChild } from '../testing/hub-child.ts';
import { testEndpoints } from './endpoints.ts';
import { call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { testKafka, uniqueName } from './harness.ts';

describe('dancu hub --workers on the real Kafka and FerretDB', () => {
  let fx: ExchangeFixture;
  let hub: HubChild | undefined;
  const clients: ExchangeClient[] = [];

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 5 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await hub?.kill('SIGKILL');
    await fx?.stop();
  });

  it('R35: two workers serve Lookups, each journaling on a chain of its own (<instance>-w1, -w2); the admin port shows both workers\u2019 metrics and is ready with both; SIGTERM stops both with exit 0, and the journal verifies', async () => {
    const consumer = await fx.register({
      organisation: 'bhxh',
      category: 'CENTRAL_STATE_BODY',
      system: 'bhxh-workers',
      services: ['Lookup'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    const group = uniqueName('test-workers');
    await startGroupAtEnd(testKafka(), group, SOURCES.map(sourceTopic));
    const { kafkaBrokers, mongodbUri } = testEndpoints();
    hub = await HubChild.start({
      instance: 'wk',
      group,
      database: fx.database,
      pkiDir: fx.pkiDir,
      kafkaBrokers,
      mongodbUri,
      args: ['--workers', '2'],
    });
    expect(hub.output).toMatch(/hub running: 2 workers \(instances wk-w1, wk-w2\)/);

    const { entries } = journalCollections(fx.store.db);
    const lookups = (chain: string) => entries.countDocuments({ ...chainEntries(chain), action: 'Lookup', decision: 'allowed' });
    const citizen = keyOf(fx.citizens[0]!);
    const context = { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'case-1', officerId: 'officer-1' };
    // Each client its own connection; the primary hands connections to the workers in turn.
    for (let connection = 0; connection < 12 && ((await lookups('wk-w1')) === 0 || (await lookups('wk-w2')) === 0); connection += 1) {
      const client = new ExchangeClient(hub.grpcAddress, consumer.credentials, { 'grpc.use_local_subchannel_pool': 1 });
      clients.push(client);
      const answer = await call(client, 'lookup', { context, citizen, fields: ['fullName'] });
      expect(answer.ok, JSON.stringify(answer)).toBe(true);
    }
    expect(await lookups('wk-w1')).toBeGreaterThan(0);
    expect(await lookups('wk-w2')).toBeGreaterThan(0);

    const metrics = await (await fetch(`${hub.adminUrl}/metrics`)).text();
    const served = metrics
      .split('\n')
      .filter((line) => line.startsWith('dancu_exchange_requests_total{') && line.includes('service="Lookup"'));
    expect(served.some((line) => line.includes('worker="1"'))).toBe(true);
    expect(served.some((line) => line.includes('worker="2"'))).toBe(true);
    const ready = await fetch(`${hub.adminUrl}/readyz`);
    const readiness = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(Object.keys(readiness.checks)).toEqual(expect.arrayContaining(['worker-1', 'worker-2', 'worker-1.store', 'worker-2.store']));
    expect(ready.status).toBe(readiness.ready ? 200 : 503);

    const stopped = await hub.kill('SIGTERM');
    expect(stopped.code, hub.output.slice(-4000)).toBe(0);
    const publicKey = createPublicKey(readFileSync(pkiFiles(fx.pkiDir).signingPublicKey));
    const verdict = await verifyJournal(fx.store.db, { publicKey });
    expect(verdict).toMatchObject({ ok: true, signaturesChecked: true });
    expect(verdict.chains.map((chain) => chain.chain)).toEqual(expect.arrayContaining(['wk-w1', 'wk-w2']));
  }, 300_000);

  it('a worker that dies stops the other: the primary exits non-zero, naming the worker', async () => {
    const group = uniqueName('test-workers-die');
    await startGroupAtEnd(testKafka(), group, SOURCES.map(sourceTopic));
    const { kafkaBrokers, mongodbUri } = testEndpoints();
    const primary = await HubChild.start({
      instance: 'wd',
      group,
      database: fx.database,
      pkiDir: fx.pkiDir,
      kafkaBrokers,
      mongodbUri,
      args: ['--workers', '2'],
    });
    hub = primary;
    // The primary's children that run the hub (a CI run once listed a third child, of unknown
    // command; the listing is kept in the message should it happen again).
    const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '--ppid', String(primary.pid)]);
    const workers = stdout
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter((match) => match !== null && /dancu\.js hub\b/.test(match[2]!))
      .map((match) => Number(match![1]));
    expect(workers, stdout).toHaveLength(2);
    process.kill(workers[1]!, 'SIGKILL');
    const exit = await primary.exited;
    expect(exit.code, primary.output.slice(-4000)).toBe(1);
    expect(primary.output).toMatch(/hub worker \d exited with SIGKILL; stopping the other workers/);
  }, 300_000);
});
