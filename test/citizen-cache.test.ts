// The exchange's citizen cache on the real Kafka and FerretDB: a citizen read recently is
// answered from memory, and a change published on dancu.changes.v1 is answered once it arrives (the follower polls every 250 ms).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCitizen } from '../hub/store/stored-citizen.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import type { CitizenChange } from '../schemas/types.ts';
import { type Consumer, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { testKafka, waitFor } from './harness.ts';

describe('the citizen cache', () => {
  let fx: ExchangeFixture;
  let consumer: Consumer;

  beforeAll(async () => {
    fx = await startExchangeFixture();
    consumer = await fx.register({
      organisation: 'cache-org',
      category: 'CENTRAL_STATE_BODY',
      system: 'cache-system',
      services: ['Lookup'],
      purposes: ['STATISTICS'],
      grants: [
        { field: 'fullName', modes: ['disclose'] },
        { field: 'dateOfBirth', modes: ['disclose'] },
        { field: 'permanentAddress', modes: ['disclose'] },
      ],
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R41: a Lookup after a change to the citizen answers the new value once the change is published, not the cached one', async () => {
    await waitFor('the cache to follow dancu.changes.v1', async () => fx.api.citizens.serving, 30_000);
    const citizen = fx.citizens[5]!;
    const request = {
      context: { agreementId: consumer.agreementId, purpose: 'STATISTICS', caseReference: 'HS-1', officerId: 'o-1' },
      citizen: keyOf(citizen),
      fields: ['permanentAddress'],
    };
    const address = async () => {
      const outcome = await call(consumer.exchange, 'lookup', request);
      if (!outcome.ok) throw new Error(`lookup refused: ${outcome.reason}`);
      return JSON.stringify(outcome.response.fields[0]?.value);
    };
    const before = await address();

    // The store changes without a change published (as no ingest would): the answer comes from memory.
    const moved = { province: 'Cần Thơ', district: 'Ninh Kiều', detail: `cache test ${Date.now()}` };
    const stored = (await fx.store.readCitizen(citizen._id))!;
    const movedVersion = { ...stored.fields.permanentAddress!, value: moved };
    await fx.store.citizens.replaceOne(
      { _id: citizen._id },
      encodeCitizen({ ...stored, fields: { ...stored.fields, permanentAddress: movedVersion } }),
    );
    expect(await address()).toBe(before);

    // Ingest publishes the change after writing the citizen; from then on the new value is answered.
    const publisher = new RecordPublisher(testKafka());
    await publisher.connect();
    try {
      const change = {
        changeId: `cache-${Date.now()}:permanentAddress`,
        personalId: citizen._id,
        field: 'permanentAddress',
        value: moved,
        previous: null,
        source: 'residence',
        eventId: `cache-${Date.now()}`,
        eventType: 'permanent-residence-registered',
        effectiveAt: '2026-11-01T00:00:00Z',
        recordedAt: '2026-11-01T00:00:00Z',
        authoritative: true,
      } as unknown as CitizenChange;
      await publisher.publish(CHANGES_TOPIC, [{ key: citizen._id, value: JSON.stringify(change) }]);
      // The follower polls every 250 ms, so this takes well under a second on an idle machine; the
      // wait has room so that a busy one cannot fail it (no clock is asserted).
      await waitFor('the new address', async () => (await address()).includes('Cần Thơ'), 30_000);
    } finally {
      await publisher.close();
    }
  });
});
