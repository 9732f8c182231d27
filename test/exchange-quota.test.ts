// Quota, metering and rate limits across hub instances, on the real Kafka and FerretDB: two hub
// APIs serve one database, as two `dancu hub` processes behind one address would.
import { status } from '@grpc/grpc-js';
import pMap from 'p-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubApi } from '../hub/api/hub-api.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import { type Change, ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import type { CitizenChange } from '../schemas/types.ts';
import { testEndpoints } from './endpoints.ts';
import { type Consumer, type ConsumerSpec, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { testKafka, waitFor } from './harness.ts';

const GRANTS = [
  { field: 'fullName', modes: ['disclose', 'match'] },
  { field: 'dateOfBirth', modes: ['disclose', 'match'] },
  { field: 'sex', modes: ['disclose'] },
  { field: 'permanentAddress', modes: ['disclose'] },
];

const consumerSpec = (name: string, quota: ConsumerSpec['quota']): ConsumerSpec => ({
  organisation: `${name}-org`,
  category: 'CENTRAL_STATE_BODY',
  system: `${name}-system`,
  services: ['Lookup', 'BatchLookup', 'WatchChanges'],
  purposes: ['STATISTICS'],
  grants: GRANTS,
  ...(quota ? { quota } : {}),
});

const context = (consumer: Consumer) => ({
  agreementId: consumer.agreementId,
  purpose: 'STATISTICS',
  caseReference: 'HS-2026-000777',
  officerId: 'officer-3',
});

describe('quota, metering and rate limits across hub instances', () => {
  let fx: ExchangeFixture;
  let second: HubApi;
  /** The same consumer's client, pointed at the second hub instance. */
  const atSecond = (consumer: Consumer) => new ExchangeClient(`localhost:${second.port}`, consumer.credentials);

  beforeAll(async () => {
    fx = await startExchangeFixture();
    const { kafkaBrokers, mongodbUri } = testEndpoints();
    second = await HubApi.start({
      kafkaBrokers,
      mongodbUri,
      database: fx.database,
      address: '127.0.0.1:0',
      pkiDir: fx.pkiDir,
      journal: fx.api.journal,
      log: () => {},
    });
  });
  afterAll(async () => {
    await second?.stop();
    await fx?.stop();
  });

  const usage = async (consumer: Consumer) => {
    await Promise.all([fx.api.registry.flushUsage(), second.registry.flushUsage()]);
    const today = localDay(new Date());
    return (await fx.api.registry.usageReport(consumer.agreementId, today, today, 'c06-head')).days[0];
  };

  it('R23: two hub instances answering one agreement never pass its daily limit; the refused calls are QUOTA_EXCEEDED', async () => {
    const consumer = await fx.register(consumerSpec('quota-race', { ratePerSecond: 100_000, dailyLimit: 150 }));
    const clients = [consumer.exchange, atSecond(consumer)];
    const request = { context: context(consumer), citizen: keyOf(fx.citizens[0]!), fields: ['sex'] };
    // 240 calls, half at each instance, 16 in flight: more than the 150 units the day has.
    const outcomes = await pMap(
      Array.from({ length: 240 }, (_, n) => n),
      (n) => call(clients[n % 2]!, 'lookup', request),
      { concurrency: 16 },
    );
    const allowed = outcomes.filter((outcome) => outcome.ok).length;
    expect(allowed).toBeLessThanOrEqual(150);
    // Each instance holds at most one block the other cannot use; here each got enough calls to spend its own.
    expect(allowed).toBe(150);
    expect(
      outcomes
        .filter((outcome) => !outcome.ok)
        .every((outcome) => !outcome.ok && outcome.code === status.RESOURCE_EXHAUSTED && outcome.reason === 'QUOTA_EXCEEDED'),
    ).toBe(true);
    expect(await usage(consumer)).toMatchObject({
      allowed: 150,
      refused: 90,
      services: { Lookup: { allowed: 150, refused: 90 } },
      unaccounted: 0,
    });
  });

  it('R23: a BatchLookup of N citizens uses N units; a batch past the units left is refused whole', async () => {
    const consumer = await fx.register(consumerSpec('quota-batch', { ratePerSecond: 1000, dailyLimit: 10 }));
    const citizens = fx.citizens.slice(2, 6).map(keyOf);
    const batch = { context: context(consumer), citizens, fields: ['sex'] };
    expect(await call(consumer.exchange, 'batchLookup', batch)).toMatchObject({ ok: true });
    expect(await call(consumer.exchange, 'batchLookup', batch)).toMatchObject({ ok: true });
    expect(await call(consumer.exchange, 'batchLookup', batch)).toMatchObject({
      ok: false,
      code: status.RESOURCE_EXHAUSTED,
      reason: 'QUOTA_EXCEEDED',
    });
    expect(await call(consumer.exchange, 'lookup', { context: context(consumer), citizen: citizens[0]!, fields: ['sex'] })).toMatchObject({
      ok: true,
    });
    expect(await usage(consumer)).toMatchObject({
      allowed: 9,
      refused: 4,
      services: { BatchLookup: { allowed: 8, refused: 4 }, Lookup: { allowed: 1, refused: 0 } },
    });
  });

  it('R23: a WatchChanges stream uses one unit per change delivered, and ends QUOTA_EXCEEDED when the day’s units are spent', async () => {
    const consumer = await fx.register(consumerSpec('quota-watch', { ratePerSecond: 1000, dailyLimit: 3 }));
    const watched = fx.citizens[11]!._id;
    const publisher = new RecordPublisher(testKafka());
    await publisher.connect();
    try {
      const received: Change[] = [];
      let markers = 0;
      const stream = consumer.exchange.watchChanges({ context: context(consumer), cursor: '', personalIds: [watched] });
      const ended = new Promise<{ code: number; reason: string }>((resolve) => {
        stream.on('error', (error: { code: number; metadata?: { get(key: string): unknown[] } }) =>
          resolve({ code: error.code, reason: String(error.metadata?.get('dancu-reason')[0] ?? '') }),
        );
      });
      stream.on('data', (message: Change) => (message.changeId === '' ? (markers += 1) : received.push(message)));
      await waitFor('the opening position marker', async () => markers >= 1);
      // Opening the stream used no unit.
      expect(await usage(consumer)).toBeUndefined();
      const runId = Date.now().toString(36);
      const changes = [1, 2, 3, 4, 5].map(
        (n): CitizenChange =>
          ({
            changeId: `quota-${runId}-${n}:sex`,
            personalId: watched,
            field: 'sex',
            value: n % 2 ? 'male' : 'female',
            previous: null,
            source: 'civil-status',
            eventId: `quota-${runId}-${n}`,
            eventType: 'birth-registered',
            effectiveAt: '2026-11-01T00:00:00Z',
            recordedAt: '2026-11-01T00:00:00Z',
            authoritative: true,
          }) as unknown as CitizenChange,
      );
      await publisher.publish(
        CHANGES_TOPIC,
        changes.map((one) => ({ key: one.personalId, value: JSON.stringify(one) })),
      );
      expect(await ended).toEqual({ code: status.RESOURCE_EXHAUSTED, reason: 'QUOTA_EXCEEDED' });
      expect(received.map((message) => message.changeId)).toEqual(changes.slice(0, 3).map((change) => change.changeId));
      expect(await usage(consumer)).toMatchObject({ allowed: 3, refused: 1, services: { WatchChanges: { allowed: 3, refused: 1 } } });
    } finally {
      await publisher.close();
    }
  });

  it('R22: an agreement’s rate is shared by the live hub instances, not granted to each', async () => {
    await waitFor('both instances to see each other', async () => fx.api.instances.count() === 2 && second.instances.count() === 2, 15_000);
    const consumer = await fx.register(consumerSpec('rate-shared', { ratePerSecond: 2, dailyLimit: 1000 }));
    const clients = [consumer.exchange, atSecond(consumer)];
    // Distinct citizens, so only the rate can refuse.
    const keys = fx.citizens.slice(0, 12).map(keyOf);
    const outcomes = await Promise.all(
      keys.map((citizen, n) => call(clients[n % 2]!, 'lookup', { context: context(consumer), citizen, fields: ['sex'] })),
    );
    const allowed = outcomes.filter((outcome) => outcome.ok).length;
    // Each instance's bucket holds 2 / 2 = 1 call and refills one a second: 2 together. Each
    // instance granting the whole rate would have allowed 4; a third may refill if the 12 calls'
    // admissions spread over a second on a busy machine.
    expect(allowed).toBeGreaterThanOrEqual(2);
    expect(allowed).toBeLessThanOrEqual(3);
    expect(outcomes.filter((outcome) => !outcome.ok).every((outcome) => !outcome.ok && outcome.reason === 'RATE_LIMITED')).toBe(true);
  });
});
