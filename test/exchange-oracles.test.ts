// The exchange's oracles closed, on the real Kafka and FerretDB: what an attacker holding a valid
// certificate and agreement could learn or bury, each shown refused and allowed. Every consumer
// here is registered by its own test, so each has its own certificate, agreement and budgets.
import { type ServiceError, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaChangeFeed } from '../hub/exchange/watch-changes.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import type { Change, ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import type { CitizenChange } from '../schemas/types.ts';
import { type Consumer, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { testKafka, waitFor } from './harness.ts';

const GRANTS = [
  { field: 'fullName', modes: ['disclose', 'match'] },
  { field: 'dateOfBirth', modes: ['disclose', 'match'] },
  { field: 'sex', modes: ['disclose', 'match'] },
  { field: 'permanentAddress', modes: ['disclose'] },
];

function context(consumer: Consumer) {
  return { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-2026-000555', officerId: 'officer-9' };
}

/** A well-formed personal id no simulated citizen holds (the simulator's ids are random; these end in 9s). */
function unknownId(n: number): string {
  return `0790${String(10 + (n % 90)).padStart(2, '0')}${String((n * 7919) % 10_000).padStart(4, '0')}99`;
}

describe('the exchange’s oracles are closed', () => {
  let fx: ExchangeFixture;
  let serial = 0;
  const register = async (services: string[]): Promise<Consumer & { system: string }> => {
    serial += 1;
    const system = `system-${serial}`;
    return {
      ...(await fx.register({
        organisation: `org-${serial}`,
        category: 'CENTRAL_STATE_BODY',
        system,
        services,
        purposes: ['SOCIAL_INSURANCE'],
        grants: GRANTS,
      })),
      system,
    };
  };

  beforeAll(async () => {
    // Five refusals per certificate journaled one by one; then aggregates of 20 calls (never closed by time here).
    // Two open streams per agreement.
    fx = await startExchangeFixture({
      refusalFlood: { perCertificate: 5, windowMs: 3_600_000, aggregateMs: 3_600_000, maxCalls: 20 },
      streamsPerAgreement: 2,
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R22: BatchLookup naming one personal id twice is INVALID_ARGUMENT; the same ids once each are answered', async () => {
    const consumer = await register(['BatchLookup']);
    const [a, b] = [keyOf(fx.citizens[0]!), keyOf(fx.citizens[1]!)];
    const guesses = await call(consumer.exchange, 'batchLookup', {
      context: context(consumer),
      citizens: [a, b, { ...a, dateOfBirth: '1970-01-01' }],
      fields: ['sex'],
    });
    expect(guesses).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    const once = await call(consumer.exchange, 'batchLookup', { context: context(consumer), citizens: [a, b], fields: ['sex'] });
    expect(once.ok && once.response.results.map((result) => [result.personalId, result.found])).toEqual([
      [a.personalId, true],
      [b.personalId, true],
    ]);
  });

  it('R22: Lookup and BatchLookup that keep varying the date of birth or name of one citizen are THROTTLED like Verify; other citizens still answer', async () => {
    const consumer = await register(['Lookup', 'BatchLookup', 'Verify']);
    const key = keyOf(fx.citizens[2]!);
    const lookup = (citizen: typeof key) => call(consumer.exchange, 'lookup', { context: context(consumer), citizen, fields: ['sex'] });
    expect(await lookup(key)).toMatchObject({ ok: true });
    // The same name in other case and spacing is no new guess.
    expect(await lookup({ ...key, fullName: `  ${key.fullName.toUpperCase()} ` })).toMatchObject({ ok: true });
    expect(await lookup({ ...key, dateOfBirth: '1970-01-01' })).toMatchObject({
      ok: false,
      code: status.NOT_FOUND,
      reason: 'CITIZEN_NOT_FOUND',
    });
    // A batch guess and a Verify guess count with the lookups: one budget per citizen, whichever service asks.
    const batchGuess = await call(consumer.exchange, 'batchLookup', {
      context: context(consumer),
      citizens: [{ ...key, dateOfBirth: '1970-01-02' }],
      fields: ['sex'],
    });
    expect(batchGuess.ok && batchGuess.response.results[0]!.found).toBe(false);
    // The fourth date of birth claimed for this citizen is one too many.
    const verifyGuess = await call(consumer.exchange, 'verify', {
      context: context(consumer),
      personalId: key.personalId,
      claims: [{ field: 'dateOfBirth', value: '1970-01-03' }],
    });
    expect(verifyGuess).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED, reason: 'THROTTLED' });
    expect(await lookup(key)).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED, reason: 'THROTTLED' });
    const other = await call(consumer.exchange, 'batchLookup', {
      context: context(consumer),
      citizens: [keyOf(fx.citizens[3]!)],
      fields: ['sex'],
    });
    expect(other.ok && other.response.results[0]!.found).toBe(true);
  });

  it('R8, R22: a citizen portal that keeps varying the date of birth given for one personal id is THROTTLED like Lookup; other citizens are still served', async () => {
    const portal = await fx.register({
      organisation: 'portal-g',
      category: 'PUBLIC_SERVICE_PORTAL',
      system: 'portal-g',
      services: ['SelfService'],
      purposes: ['CITIZEN_SELF_SERVICE'],
      grants: GRANTS,
    });
    const key = keyOf(fx.citizens[15]!);
    // The citizen logged in: the platform vouches for the personal id, the portal still names the rest.
    const getMyRecord = async (citizen: typeof key) =>
      call(portal.selfService, 'getMyRecord', {
        context: {
          agreementId: portal.agreementId,
          sessionReference: 'vneid-session-31',
          eidAssertion: await fx.eid.sign({ personalId: citizen.personalId }),
        },
        citizen,
      });
    expect(await getMyRecord(key)).toMatchObject({ ok: true });
    for (const dateOfBirth of ['1970-01-01', '1970-01-02'])
      expect(await getMyRecord({ ...key, dateOfBirth })).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
    expect(await getMyRecord({ ...key, dateOfBirth: '1970-01-03' })).toMatchObject({
      ok: false,
      code: status.RESOURCE_EXHAUSTED,
      reason: 'THROTTLED',
    });
    expect(await getMyRecord(keyOf(fx.citizens[14]!))).toMatchObject({ ok: true });
  });

  it('R22: Verify answers a claim on the sex the personal id encodes alike for a citizen on record and an id nobody holds', async () => {
    const consumer = await register(['Verify']);
    const citizen = fx.citizens[4]!;
    const sexOf = (id: string) => (Number(id[3]) % 2 === 0 ? 'male' : 'female');
    const nobody = `${citizen._id.slice(0, 6)}${String((Number(citizen._id.slice(6)) + 500_009) % 1_000_000).padStart(6, '0')}`;
    expect(fx.citizens.some((one) => one._id === nobody)).toBe(false);
    const claim = async (personalId: string, sex: string) => {
      const outcome = await call(consumer.exchange, 'verify', {
        context: context(consumer),
        personalId,
        claims: [{ field: 'sex', value: sex }],
      });
      return outcome.ok ? outcome.response.matches[0]!.matches : outcome;
    };
    const right = sexOf(citizen._id);
    const wrong = right === 'male' ? 'female' : 'male';
    expect([await claim(citizen._id, right), await claim(nobody, right)]).toEqual([true, true]);
    expect([await claim(citizen._id, wrong), await claim(nobody, wrong)]).toEqual([false, false]);
  });

  it('R22: padding guesses with the same known-good keys does not hide a high no-match rate; the rounds before it are answered', async () => {
    const consumer = await register(['BatchLookup']);
    const known = fx.citizens.slice(5, 15).map(keyOf);
    expect(known).toHaveLength(10);
    const outcomes = [];
    for (let round = 0; round < 5; round++) {
      const guesses = [0, 1, 2, 3].map((n) => ({
        personalId: unknownId(round * 4 + n),
        fullName: 'Nguyễn Văn Thử',
        dateOfBirth: '1990-01-01',
      }));
      outcomes.push(
        await call(consumer.exchange, 'batchLookup', { context: context(consumer), citizens: [...known, ...guesses], fields: ['sex'] }),
      );
    }
    // 10 hits and 4 misses a round: by the fourth round the misses pass 60% of what counts.
    expect(outcomes.slice(0, 4).every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes[4]).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED, reason: 'THROTTLED' });
  });

  it('R35, R22: a certificate’s refusal flood is journaled whole in one aggregated entry, and a real read stays on top of the citizen’s log', async () => {
    const flooder = await register(['Lookup']);
    const ministry = await register(['Lookup']);
    const portal = await fx.register({
      organisation: 'vneid-x',
      category: 'PUBLIC_SERVICE_PORTAL',
      system: 'vneid-x',
      services: ['SelfService'],
      purposes: ['CITIZEN_SELF_SERVICE'],
      grants: GRANTS,
    });
    const citizen = fx.citizens[16]!;
    const flood = await Promise.all(
      Array.from({ length: 25 }, () =>
        call(flooder.exchange, 'lookup', { context: context(flooder), citizen: keyOf(citizen), fields: ['bloodType'] }),
      ),
    );
    // Every caller got its own refusal, each only once its journal entry was durable.
    expect(
      flood.every((outcome) => !outcome.ok && outcome.code === status.PERMISSION_DENIED && outcome.reason === 'FIELD_NOT_GRANTED'),
    ).toBe(true);
    // Another certificate's refusals are its own: journaled one by one.
    expect(
      await call(ministry.exchange, 'lookup', { context: context(ministry), citizen: keyOf(citizen), fields: ['bloodType'] }),
    ).toMatchObject({ ok: false, reason: 'FIELD_NOT_GRANTED' });
    expect(
      await call(ministry.exchange, 'lookup', { context: context(ministry), citizen: keyOf(citizen), fields: ['fullName'] }),
    ).toMatchObject({ ok: true });

    const fromFlooder = await queryJournal(fx.store.db, { citizen: citizen._id, system: flooder.system, limit: 100 });
    expect(fromFlooder.filter((entry) => entry.action === 'Lookup')).toHaveLength(5);
    const aggregated = fromFlooder.filter((entry) => entry.action === 'RefusedCalls');
    expect(aggregated).toMatchObject([
      {
        decision: 'refused',
        reason: 'REFUSAL_FLOOD',
        agreement: flooder.agreementId,
        citizens: [citizen._id],
        fields: ['bloodType'],
        detail: expect.stringMatching(/^20 refused calls .*Lookup×20; FIELD_NOT_GRANTED×20/),
      },
    ]);

    // 26 refused calls and one read: the citizen's log holds 8 entries, the read on top.
    const log = await call(portal.selfService, 'listAccessToMyData', {
      context: {
        agreementId: portal.agreementId,
        sessionReference: 'vneid-session-9',
        eidAssertion: await fx.eid.sign({ personalId: citizen._id }),
      },
      citizen: keyOf(citizen),
      limit: 100,
    });
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    const accesses = log.response.accesses.map(({ system, service, decision, reason }) => `${system} ${service} ${decision} ${reason}`);
    expect(accesses.slice(0, 2)).toEqual([`${ministry.system} Lookup allowed `, `${ministry.system} Lookup refused FIELD_NOT_GRANTED`]);
    expect(accesses.slice(2).sort()).toEqual([
      ...Array.from({ length: 5 }, () => `${flooder.system} Lookup refused FIELD_NOT_GRANTED`),
      `${flooder.system} RefusedCalls refused REFUSAL_FLOOD`,
    ]);
  });

  it('R37, R12: ReportDataError names the citizen by key with consent, like Lookup, and bounds the proposed value; a proper report is routed', async () => {
    const bank = await fx.register({
      organisation: 'bank-r',
      category: 'CREDIT_INSTITUTION',
      system: 'bank-r-ekyc',
      services: ['ReportDataError'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: GRANTS,
    });
    const citizen = fx.citizens[17]!;
    const report = (key: ReturnType<typeof keyOf>, proposedValue: unknown = { province: 'Hà Nội', detail: 'Số 9' }) =>
      call(bank.exchange, 'reportDataError', {
        context: { ...context(bank), purpose: 'EKYC_ACCOUNT_OPENING' },
        citizen: key,
        field: 'permanentAddress',
        proposedValue,
        description: 'The customer showed a newer residence confirmation.',
      });
    expect(await report(keyOf(citizen))).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'CONSENT_MISSING' });
    await fx.consent(bank.agreementId, citizen._id);
    const wrongBirth = await report({ ...keyOf(citizen), dateOfBirth: '1970-01-01' });
    expect(wrongBirth).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
    await fx.consent(bank.agreementId, unknownId(70));
    const nobody = await report({ ...keyOf(citizen), personalId: unknownId(70) });
    expect(nobody).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
    if (!wrongBirth.ok && !nobody.ok) expect(nobody.details).toBe(wrongBirth.details);
    const huge = await report(keyOf(citizen), { detail: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    expect(await report(keyOf(citizen), { detail: 'x'.repeat(4000) })).toMatchObject({ ok: true, response: { routedTo: 'residence' } });
  });

  it('R29–R32: an assessment dated in the future is refused; of assessments made the same day the one recorded last decides', async () => {
    const consumer = await register(['Lookup']);
    const lookup = () =>
      call(consumer.exchange, 'lookup', { context: context(consumer), citizen: keyOf(fx.citizens[18]!), fields: ['sex'] });
    const today = localDay(new Date());
    const assess = (assessedAt: string, level: number, findings: string) =>
      fx.api.registry.recordAssessment(
        { systemId: consumer.system, systemVersion: '1.0.0', level, assessedAt, kind: 'ad-hoc', findings, assessor: 'A05' },
        'c06-head',
      );
    const future = await assess(localDay(new Date(Date.now() + 2 * 86_400_000)), 3, 'Clean.').catch((error: unknown) => error);
    expect(future).toBeInstanceOf(RegistryError);
    expect(future).toMatchObject({ code: 'INVALID', message: expect.stringContaining('is in the future') });
    expect(await lookup()).toMatchObject({ ok: true });
    await assess(today, 3, 'Clean.');
    await assess(today, 2, 'Reassessed: an unpatched TLS terminator.');
    expect(await lookup()).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'ASSESSMENT_LEVEL_TOO_LOW' });
    await assess(today, 3, 'TLS terminator patched; clean.');
    expect(await lookup()).toMatchObject({ ok: true });
  });

  describe('WatchChanges', () => {
    type Opened = {
      stream: ReturnType<ExchangeClient['watchChanges']>;
      received: Change[];
      markers: Change[];
      ended: Promise<{ code: number; reason: string }>;
    };
    const open = (consumer: Consumer, cursor: string, personalIds: string[], purpose = 'SOCIAL_INSURANCE'): Opened => {
      const stream = consumer.exchange.watchChanges({ context: { ...context(consumer), purpose }, cursor, personalIds });
      const opened: Opened = {
        stream,
        received: [],
        markers: [],
        ended: new Promise((resolve) =>
          stream.on('error', (error: ServiceError) =>
            resolve({ code: error.code, reason: String(error.metadata?.get('dancu-reason')[0] ?? '') }),
          ),
        ),
      };
      stream.on('data', (message: Change) => (message.changeId === '' ? opened.markers : opened.received).push(message));
      return opened;
    };
    const change = (personalId: string, n: number): CitizenChange =>
      ({
        changeId: `sec-${n}:permanentAddress`,
        personalId,
        field: 'permanentAddress',
        value: { province: 'Hà Nội' },
        previous: null,
        source: 'residence',
        eventId: `sec-${n}`,
        eventType: 'permanent-residence-registered',
        effectiveAt: '2026-11-01T00:00:00Z',
        recordedAt: '2026-11-01T00:00:00Z',
        authoritative: true,
      }) as CitizenChange;
    let publisher: RecordPublisher;
    const publish = (one: CitizenChange) => publisher.publish(CHANGES_TOPIC, [{ key: one.personalId, value: JSON.stringify(one) }]);
    beforeAll(async () => {
      publisher = new RecordPublisher(testKafka());
      await publisher.connect();
    });
    afterAll(async () => {
      await publisher?.close();
    });

    it('R22: a hand-made, edited or other agreement’s cursor is INVALID_ARGUMENT; the cursor the hub gave resumes', async () => {
      const consumer = await register(['WatchChanges']);
      const other = await register(['WatchChanges']);
      const first = open(consumer, '', []);
      await waitFor('the opening marker', async () => first.markers.length >= 1);
      const genuine = first.markers[0]!.cursor;
      first.stream.cancel();
      const [payload, signature] = genuine.split('.') as [string, string];
      const rewound = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { p: [number, string][] };
      // Moved to other offsets, whatever they were (on a fresh topic every position is already 0,
      // and "rewinding" to 0 would leave the payload, and so its signature, unchanged).
      rewound.p = rewound.p.map(([partition, offset]) => [partition, offset === '0' ? '1' : '0']);
      const forged = [
        Buffer.from(JSON.stringify({ v: 1, p: rewound.p })).toString('base64url'),
        `${Buffer.from(JSON.stringify(rewound)).toString('base64url')}.${signature}`,
      ];
      for (const cursor of forged)
        expect(await open(consumer, cursor, []).ended).toEqual({ code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
      expect(await open(other, genuine, []).ended).toEqual({ code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
      const resumed = open(consumer, genuine, []);
      await waitFor('the resumed stream’s marker', async () => resumed.markers.length >= 1);
      resumed.stream.cancel();
    });

    it('R12: whatever the cursor, a stream never delivers a change published before the citizen consented; changes after it are delivered', async () => {
      const bank = await fx.register({
        organisation: 'bank-w',
        category: 'CREDIT_INSTITUTION',
        system: 'bank-w-sync',
        services: ['WatchChanges'],
        purposes: ['EKYC_ACCOUNT_OPENING'],
        grants: GRANTS,
      });
      const [early, late] = [fx.citizens[19]!, fx.citizens[0]!];
      await fx.consent(bank.agreementId, early._id);
      const first = open(bank, '', [early._id], 'EKYC_ACCOUNT_OPENING');
      await waitFor('the opening marker', async () => first.markers.length >= 1);
      const cursor = first.markers[0]!.cursor;
      first.stream.cancel();
      await publish(change(late._id, 1));
      await fx.consent(bank.agreementId, late._id);
      await publish(change(late._id, 2));
      const resumed = open(bank, cursor, [late._id], 'EKYC_ACCOUNT_OPENING');
      // One citizen's changes share a partition: once the second arrives, the first was passed over.
      await waitFor('the change published after consent', async () => resumed.received.length >= 1);
      expect(resumed.received.map((message) => message.changeId)).toEqual(['sec-2:permanentAddress']);
      resumed.stream.cancel();
    });

    it('the change feed’s Kafka consumer, stopped at any moment of its set-up, leaves its group', async () => {
      const owner = `probe-${serial++}-${Date.now()}`;
      const feed = kafkaChangeFeed(testKafka());
      // kafkajs ignored a stop while its consumer was still joining the group; the join can take a
      // few seconds, so stop at points spread across it.
      for (const afterMs of [0, 25, 50, 100, 150, 200, 300, 500, 1000, 2000]) {
        const tail = await feed.follow(owner, null, async () => {});
        await new Promise((resolve) => setTimeout(resolve, afterMs));
        await tail.stop();
      }
      const admin = testKafka().admin();
      await admin.connect();
      try {
        const groups = (await admin.listGroups()).groups
          .map((group) => group.groupId)
          .filter((id) => id.startsWith(`dancu-tail-${owner}-`));
        expect(groups).toHaveLength(10);
        const members = async () => (await admin.describeGroups(groups)).groups.reduce((sum, group) => sum + group.members.length, 0);
        // Within less than a session timeout (30 s): each consumer left its group, none merely died in it.
        await waitFor('every stopped consumer out of its group', async () => (await members()) === 0, 20_000);
      } finally {
        await admin.disconnect();
      }
    });

    it('R2: an agreement holds at most its cap of open streams; a stream cancelled during set-up gives back its Kafka consumer and slot', async () => {
      const consumer = await register(['WatchChanges']);
      const slots = () => fx.api.streams.count(consumer.agreementId);
      // What Kafka itself says: this agreement's tail groups (dancu-tail-<agreement>-…) that still have a member.
      const admin = testKafka().admin();
      await admin.connect();
      const liveConsumers = async () => {
        const groups = (await admin.listGroups()).groups
          .map((group) => group.groupId)
          .filter((id) => id.startsWith(`dancu-tail-${consumer.agreementId}-`));
        return groups.length === 0 ? 0 : (await admin.describeGroups(groups)).groups.filter((group) => group.members.length > 0).length;
      };
      const streams = [open(consumer, '', []), open(consumer, '', [])];
      await waitFor('two open streams', async () => streams.every((one) => one.markers.length >= 1));
      await waitFor('their two Kafka consumers in their groups', async () => (await liveConsumers()) === 2);
      expect(await open(consumer, '', []).ended).toEqual({ code: status.RESOURCE_EXHAUSTED, reason: 'TOO_MANY_STREAMS' });
      streams[0]!.stream.cancel();
      await waitFor('the cancelled stream’s slot', async () => slots() === 1);
      const again = open(consumer, '', []);
      await waitFor('a stream in the freed slot', async () => again.markers.length >= 1);
      for (const one of [streams[1]!, again]) one.stream.cancel();
      await waitFor('every slot given back', async () => slots() === 0);

      // Cancelled the moment the hub took its slot, before its first marker: while its consumer is being set up.
      const early = open(consumer, '', []);
      for (let turn = 0; slots() === 0 && turn < 100_000; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(slots()).toBe(1);
      expect(early.markers).toEqual([]);
      early.stream.cancel();
      await waitFor('the slot of the stream cancelled during set-up', async () => slots() === 0, 30_000);
      const full = [open(consumer, '', []), open(consumer, '', [])];
      await waitFor('the cap’s worth of streams again', async () => full.every((one) => one.markers.length >= 1));
      for (const one of full) one.stream.cancel();
      await waitFor('every slot given back', async () => slots() === 0);
      // Every stream above is gone from Kafka too, the one cancelled during set-up included.
      await waitFor('no Kafka consumer left for the agreement', async () => (await liveConsumers()) === 0, 30_000);
      await admin.disconnect();
    });
  });
});
