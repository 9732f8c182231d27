// The exchange end to end over mutual TLS, on the real Kafka and FerretDB: every rule of the
// enforcement pipeline shown allowed and refused, each call journaled.
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEidIssuer } from '../deploy/local/eid-issuer.ts';
import { CITIZEN_FIELDS } from '../hub/citizen/fields.ts';
import { SHARED_CHAIN } from '../hub/journal/journal-chain.ts';
import { journalCollections } from '../hub/journal/journal-collections.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { verifyJournal } from '../hub/journal/verify-journal.ts';
import { ONWARD_SHARING_TERM } from '../hub/registry/onward-sharing.ts';
import { PURPOSE_CODES } from '../hub/registry/purposes.ts';
import { SERVICE_CATALOGUE, SERVICE_NAMES } from '../hub/registry/service-catalogue.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC, correctionsTopic } from '../kafka/topics.ts';
import type { Change, ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { RegistryClient } from '../proto/gen/dancu/registry/v1/registry.ts';
import type { CitizenChange } from '../schemas/types.ts';
import { type Consumer, call, callsMade, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { tapTopic, testKafka, waitFor } from './harness.ts';

const STATE_GRANTS = [
  { field: 'fullName', modes: ['disclose', 'match'] },
  { field: 'dateOfBirth', modes: ['disclose', 'match'] },
  { field: 'sex', modes: ['disclose'] },
  { field: 'permanentAddress', modes: ['disclose'] },
];

function context(consumer: Consumer, purpose = 'SOCIAL_INSURANCE') {
  return { agreementId: consumer.agreementId, purpose, caseReference: 'HS-2026-000123', officerId: 'officer-17' };
}

const lookup = (client: ExchangeClient, request: Parameters<ExchangeClient['lookup']>[0], metadata = new Metadata()) =>
  call(client, 'lookup', request, metadata);

describe('the exchange over mutual TLS', () => {
  let fx: ExchangeFixture;
  let ministry: Consumer;
  let bank: Consumer;

  beforeAll(async () => {
    fx = await startExchangeFixture();
    ministry = await fx.register({
      organisation: 'vss',
      category: 'CENTRAL_STATE_BODY',
      system: 'vss-insurance',
      services: ['Lookup', 'BatchLookup', 'Verify', 'WatchChanges', 'ReportDataError'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: STATE_GRANTS,
    });
    bank = await fx.register({
      organisation: 'vietbank',
      category: 'CREDIT_INSTITUTION',
      system: 'vietbank-ekyc',
      services: ['Lookup', 'Verify', 'WatchChanges'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: [
        { field: 'fullName', modes: ['disclose', 'match'] },
        { field: 'dateOfBirth', modes: ['match'] },
        { field: 'permanentAddress', modes: ['disclose'] },
      ],
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R7, R22, R4, R13: Lookup answers exactly the granted fields asked for (the agreement holder’s right honoured); one field more is refused whole, both journaled with the trace id', async () => {
    const citizen = fx.citizens[0]!;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`);
    const allowed = await lookup(
      ministry.exchange,
      { context: context(ministry), citizen: keyOf(citizen), fields: ['fullName', 'permanentAddress'] },
      metadata,
    );
    expect(allowed.ok).toBe(true);
    if (!allowed.ok) return;
    expect(allowed.response.personalId).toBe(citizen._id);
    expect(allowed.response.fields.map((field) => field.field)).toEqual(
      ['fullName', 'permanentAddress'].filter((field) => citizen.fields[field as 'fullName'] !== undefined),
    );
    expect(allowed.response.fields[0]).toMatchObject({
      field: 'fullName',
      value: citizen.fields.fullName!.value,
      source: 'civil-status',
      authoritative: true,
    });

    const refused = await lookup(ministry.exchange, {
      context: context(ministry),
      citizen: keyOf(citizen),
      fields: ['fullName', 'permanentAddress', 'bloodType'],
    });
    expect(refused).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'FIELD_NOT_GRANTED' });

    const entries = await queryJournal(fx.store.db, { citizen: citizen._id, system: 'vss-insurance', limit: 10 });
    expect(entries.slice(0, 2)).toMatchObject([
      {
        act: 'exchange',
        action: 'Lookup',
        decision: 'refused',
        reason: 'FIELD_NOT_GRANTED',
        fields: ['fullName', 'permanentAddress', 'bloodType'],
      },
      {
        act: 'exchange',
        action: 'Lookup',
        decision: 'allowed',
        fields: ['fullName', 'permanentAddress'],
        purpose: 'SOCIAL_INSURANCE',
        caseReference: 'HS-2026-000123',
        actor: { system: 'vss-insurance', organisation: 'vss', officer: 'officer-17' },
        traceId,
        _id: Number(allowed.response.journalSequence),
      },
    ]);
    // The answer names its entry (chain and sequence), and that reference finds exactly it.
    const quoted = { chain: allowed.response.journalChain, sequence: Number(allowed.response.journalSequence) };
    expect(quoted.chain).toBe(SHARED_CHAIN); // the sandbox's journal has no instance chain
    expect(await queryJournal(fx.store.db, { entry: quoted })).toEqual([entries[1]]);
  });

  it('R22: a name or date of birth that does not match is NOT_FOUND, without saying which', async () => {
    const key = keyOf(fx.citizens[1]!);
    const wrongName = await lookup(ministry.exchange, {
      context: context(ministry),
      citizen: { ...key, fullName: `${key.fullName} X` },
      fields: ['sex'],
    });
    const wrongBirth = await lookup(ministry.exchange, {
      context: context(ministry),
      citizen: { ...key, dateOfBirth: '1900-01-01' },
      fields: ['sex'],
    });
    expect(wrongName).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
    expect(wrongBirth).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
    if (!wrongName.ok && !wrongBirth.ok) expect(wrongName.details).toBe(wrongBirth.details);
  });

  it('R7: a purpose the agreement does not name is refused, and so is one outside the catalogue', async () => {
    const key = keyOf(fx.citizens[0]!);
    expect(
      await lookup(ministry.exchange, { context: context(ministry, 'TAX_ADMINISTRATION'), citizen: key, fields: ['sex'] }),
    ).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'PURPOSE_NOT_GRANTED' });
    expect(await lookup(ministry.exchange, { context: context(ministry, 'CURIOSITY'), citizen: key, fields: ['sex'] })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'PURPOSE_UNKNOWN',
    });
    expect(await lookup(ministry.exchange, { context: context(ministry), citizen: key, fields: ['sex'] })).toMatchObject({ ok: true });
  });

  it('R2: identifiers crafted as MongoDB operators and oversized batches are INVALID_ARGUMENT', async () => {
    const key = keyOf(fx.citizens[0]!);
    expect(
      await lookup(ministry.exchange, { context: context(ministry), citizen: { ...key, personalId: '{"$ne":null}' }, fields: ['sex'] }),
    ).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    expect(
      await lookup(ministry.exchange, { context: { ...context(ministry), agreementId: '{"$gt":""}' }, citizen: key, fields: ['sex'] }),
    ).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    const batch = (size: number) =>
      call(ministry.exchange, 'batchLookup', {
        context: context(ministry),
        citizens: Array.from({ length: size }, (_, n) => keyOf(fx.citizens[n % fx.citizens.length]!)),
        fields: ['sex'],
      });
    expect(await batch(101)).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    const fine = await batch(3);
    expect(fine.ok && fine.response.results.map((result) => result.found)).toEqual([true, true, true]);
  });

  it("R22: one organisation's certificate used with another's agreement is refused", async () => {
    const key = keyOf(fx.citizens[0]!);
    const borrowed = await lookup(bank.exchange, {
      context: { ...context(ministry), agreementId: ministry.agreementId },
      citizen: key,
      fields: ['fullName'],
    });
    expect(borrowed).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'AGREEMENT_NOT_YOURS' });
    const journaled = await queryJournal(fx.store.db, { system: 'vietbank-ekyc', agreement: ministry.agreementId, limit: 1 });
    expect(journaled[0]).toMatchObject({ decision: 'refused', reason: 'AGREEMENT_NOT_YOURS', actor: { organisation: 'vietbank' } });
  });

  it('R29, R32: a system whose security assessment is over a year old is refused until it is assessed again', async () => {
    const stale = await fx.register({
      organisation: 'hanoi-dpc',
      category: 'CENTRAL_STATE_BODY',
      system: 'hanoi-portal',
      services: ['Lookup'],
      purposes: ['ADMINISTRATIVE_PROCEDURE'],
      grants: STATE_GRANTS,
      assessedDaysAgo: 400,
    });
    const request = { context: context(stale, 'ADMINISTRATIVE_PROCEDURE'), citizen: keyOf(fx.citizens[0]!), fields: ['fullName'] };
    expect(await lookup(stale.exchange, request)).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'ASSESSMENT_EXPIRED',
    });
    await fx.api.registry.recordAssessment(
      {
        systemId: 'hanoi-portal',
        systemVersion: '1.0.0',
        level: 3,
        assessedAt: new Date().toISOString(),
        kind: 'periodic',
        findings: 'None.',
        assessor: 'A05',
      },
      'c06-head',
    );
    expect(await lookup(stale.exchange, request)).toMatchObject({ ok: true });
  });

  it('R22: a suspended agreement is refused until it is reinstated', async () => {
    const request = { context: context(ministry), citizen: keyOf(fx.citizens[2]!), fields: ['sex'] };
    await fx.api.registry.suspendAgreement(ministry.agreementId, 'c06-head', 'Security incident under investigation');
    expect(await lookup(ministry.exchange, request)).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'AGREEMENT_SUSPENDED',
    });
    await fx.api.registry.reinstateAgreement(ministry.agreementId, 'c06-head', 'Incident closed');
    expect(await lookup(ministry.exchange, request)).toMatchObject({ ok: true });
  });

  it('R12: a bank reads a citizen only while the citizen’s consent is on record', async () => {
    const citizen = fx.citizens[3]!;
    const request = { context: context(bank, 'EKYC_ACCOUNT_OPENING'), citizen: keyOf(citizen), fields: ['fullName'] };
    expect(await lookup(bank.exchange, request)).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'CONSENT_MISSING' });
    await fx.consent(bank.agreementId, citizen._id);
    expect(await lookup(bank.exchange, request)).toMatchObject({ ok: true });
    await fx.consent(bank.agreementId, citizen._id, 'revoked');
    expect(await lookup(bank.exchange, request)).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'CONSENT_MISSING' });
  });

  it('R23: calls past the daily quota are RESOURCE_EXHAUSTED', async () => {
    const small = await fx.register({
      organisation: 'stats-office',
      category: 'CENTRAL_STATE_BODY',
      system: 'gso-survey',
      services: ['Lookup'],
      purposes: ['STATISTICS'],
      grants: STATE_GRANTS,
      quota: { ratePerSecond: 100, dailyLimit: 2 },
    });
    const request = { context: context(small, 'STATISTICS'), citizen: keyOf(fx.citizens[0]!), fields: ['sex'] };
    expect(await lookup(small.exchange, request)).toMatchObject({ ok: true });
    expect(await lookup(small.exchange, request)).toMatchObject({ ok: true });
    expect(await lookup(small.exchange, request)).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED, reason: 'QUOTA_EXCEEDED' });
  });

  it("R22: calls faster than the agreement's rate are RESOURCE_EXHAUSTED RATE_LIMITED", async () => {
    const slow = await fx.register({
      organisation: 'hue-dpc',
      category: 'CENTRAL_STATE_BODY',
      system: 'hue-portal',
      services: ['Lookup'],
      purposes: ['ADMINISTRATIVE_PROCEDURE'],
      grants: STATE_GRANTS,
      quota: { ratePerSecond: 1, dailyLimit: 100 },
    });
    const request = { context: context(slow, 'ADMINISTRATIVE_PROCEDURE'), citizen: keyOf(fx.citizens[0]!), fields: ['sex'] };
    const [first, second] = await Promise.all([lookup(slow.exchange, request), lookup(slow.exchange, request)]);
    expect([first, second].filter((outcome) => outcome.ok)).toHaveLength(1);
    expect([first, second].find((outcome) => !outcome.ok)).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: 'RATE_LIMITED' });
  });

  it('R22: Verify says yes or no per field; a loop that varies the date of birth is throttled and flagged', async () => {
    const citizen = fx.citizens[4]!;
    const verify = (dateOfBirth: string) =>
      call(ministry.exchange, 'verify', {
        context: context(ministry),
        personalId: citizen._id,
        claims: [
          { field: 'fullName', value: citizen.fields.fullName!.value },
          { field: 'dateOfBirth', value: dateOfBirth },
        ],
      });
    const truth = String(citizen.fields.dateOfBirth!.value);
    const first = await verify(truth);
    expect(first.ok && first.response.matches).toEqual([
      { field: 'fullName', matches: true },
      { field: 'dateOfBirth', matches: true },
    ]);
    const guesses = ['1970-01-01', '1970-01-02', '1970-01-03'];
    const outcomes = [];
    for (const guess of guesses) outcomes.push(await verify(guess));
    expect(outcomes.slice(0, 2).every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes[2]).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED, reason: 'THROTTLED' });
    // Disclose-only fields cannot be verified: Verify needs `match` grants.
    const sexClaim = await call(ministry.exchange, 'verify', {
      context: context(ministry),
      personalId: fx.citizens[5]!._id,
      claims: [{ field: 'sex', value: 'male' }],
    });
    expect(sexClaim).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'FIELD_NOT_GRANTED' });
  });

  it('R37: a reported data error goes to the authoritative register on its own dancu.corrections.<source>.v1 and is journaled', async () => {
    const tap = await tapTopic(correctionsTopic('residence'));
    try {
      const citizen = fx.citizens[6]!;
      const reported = await call(ministry.exchange, 'reportDataError', {
        context: context(ministry),
        citizen: keyOf(citizen),
        field: 'permanentAddress',
        proposedValue: { province: 'Hà Nội', ward: 'Phường Kim Liên', street: 'Đào Duy Anh', detail: 'Số 9' },
        description: 'The insured person presented a residence confirmation with a newer address.',
      });
      expect(reported).toMatchObject({ ok: true, response: { routedTo: 'residence' } });
      const record = await waitFor('the correction record', async () =>
        tap.records.find((candidate) => candidate.key?.toString() === citizen._id),
      );
      expect(JSON.parse(record.value!.toString())).toMatchObject({
        field: 'permanentAddress',
        routedTo: 'residence',
        reportedBy: { organisation: 'vss', system: 'vss-insurance' },
      });
    } finally {
      await tap.stop();
    }
  });

  it('R8, R39, R35: through a citizen portal, a citizen the e-identification platform vouches for sees their record and exactly who read their data, their own read included', async () => {
    const portal = await fx.register({
      organisation: 'vneid',
      category: 'PUBLIC_SERVICE_PORTAL',
      system: 'vneid-app',
      services: ['SelfService'],
      purposes: ['CITIZEN_SELF_SERVICE'],
      grants: STATE_GRANTS,
    });
    const citizen = fx.citizens[7]!;
    const readBy = [
      await lookup(ministry.exchange, { context: context(ministry), citizen: keyOf(citizen), fields: ['fullName', 'sex'] }),
      await lookup(ministry.exchange, { context: context(ministry), citizen: keyOf(citizen), fields: ['bloodType'] }),
    ];
    expect(readBy.map((outcome) => outcome.ok)).toEqual([true, false]);
    const portalContext = {
      agreementId: portal.agreementId,
      sessionReference: 'vneid-session-81',
      eidAssertion: await fx.eid.sign({ personalId: citizen._id }),
    };
    const record = await call(portal.selfService, 'getMyRecord', { context: portalContext, citizen: keyOf(citizen) });
    expect(record.ok && record.response.fields.find((field) => field.field === 'fullName')?.value).toBe(citizen.fields.fullName!.value);
    const log = await call(portal.selfService, 'listAccessToMyData', { context: portalContext, citizen: keyOf(citizen), limit: 0 });
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    expect(
      log.response.accesses.map(({ organisation, system, service, fields, purpose, decision, reason }) => ({
        organisation,
        system,
        service,
        fields,
        purpose,
        decision,
        reason,
      })),
    ).toEqual([
      {
        organisation: 'vneid',
        system: 'vneid-app',
        service: 'GetMyRecord',
        fields: expect.arrayContaining(['fullName']),
        purpose: 'CITIZEN_SELF_SERVICE',
        decision: 'allowed',
        reason: '',
      },
      {
        organisation: 'vss',
        system: 'vss-insurance',
        service: 'Lookup',
        fields: ['bloodType'],
        purpose: 'SOCIAL_INSURANCE',
        decision: 'refused',
        reason: 'FIELD_NOT_GRANTED',
      },
      {
        organisation: 'vss',
        system: 'vss-insurance',
        service: 'Lookup',
        fields: ['fullName', 'sex'],
        purpose: 'SOCIAL_INSURANCE',
        decision: 'allowed',
        reason: '',
      },
    ]);
    // Another citizen's key through the same portal finds nothing about this one.
    const stranger = await call(portal.selfService, 'getMyRecord', {
      context: portalContext,
      citizen: { ...keyOf(citizen), fullName: 'Người Lạ' },
    });
    expect(stranger).toMatchObject({ ok: false, code: status.NOT_FOUND });
  });

  it('R8, R12, R10, R18: SelfService serves only the citizen the e-identification platform signed for — no assertion, another citizen’s, another issuer’s, another audience’s or an expired one is UNAUTHENTICATED — and only through a public-service portal', async () => {
    const portal = await fx.register({
      organisation: 'dvc-portal',
      category: 'PUBLIC_SERVICE_PORTAL',
      system: 'dvc-portal-app',
      services: ['SelfService'],
      purposes: ['CITIZEN_SELF_SERVICE'],
      grants: STATE_GRANTS,
    });
    const [citizen, neighbour] = [fx.citizens[10]!, fx.citizens[11]!];
    const forger = await LocalEidIssuer.open(join(fx.pkiDir, 'forged-eid')); // same issuer name, keys the hub never published
    const withAssertion = (eidAssertion: string) =>
      call(portal.selfService, 'getMyRecord', {
        context: { agreementId: portal.agreementId, sessionReference: 's-1', eidAssertion },
        citizen: keyOf(citizen),
      });
    const refused = [
      await withAssertion(''),
      await withAssertion(await fx.eid.sign({ personalId: neighbour._id })),
      await withAssertion(await forger.sign({ personalId: citizen._id })),
      await withAssertion(await fx.eid.sign({ personalId: citizen._id, audience: 'another-hub' })),
      await withAssertion(await fx.eid.sign({ personalId: citizen._id, issuedAt: new Date(Date.now() - 3_600_000) })),
      await withAssertion((await fx.eid.sign({ personalId: citizen._id })).replace(/\.[^.]*$/, '.AAAA')),
    ];
    expect(refused.map((outcome) => !outcome.ok && [outcome.code, outcome.reason])).toEqual(
      Array(6).fill([status.UNAUTHENTICATED, 'EID_ASSERTION_INVALID']),
    );
    const [entry] = await queryJournal(fx.store.db, { citizen: citizen._id, act: 'self-service', limit: 1 });
    expect(entry).toMatchObject({
      action: 'GetMyRecord',
      decision: 'refused',
      reason: 'EID_ASSERTION_INVALID',
      actor: { system: 'dvc-portal-app' },
    });
    expect(await withAssertion(await fx.eid.sign({ personalId: citizen._id }))).toMatchObject({ ok: true });

    // An agreement approved before the portal-only rule, for a bank (R10, R18): SelfService refuses it.
    await fx.store.db
      .collection('connection_requests')
      .updateOne({ _id: portal.agreementId as never }, { $set: { 'request.organisation.category': 'CREDIT_INSTITUTION' } });
    await waitFor(
      'the bank refused SelfService',
      async () => {
        const outcome = await withAssertion(await fx.eid.sign({ personalId: citizen._id }));
        return !outcome.ok && outcome.code === status.PERMISSION_DENIED && outcome.reason === 'SERVICE_NOT_GRANTED';
      },
      30_000,
    );
  });

  it('R22, R12: WatchChanges streams only granted fields of watched, consenting citizens, resumes from its cursor, and ends when consent is revoked', async () => {
    const [watchedCitizen, otherCitizen] = [fx.citizens[8]!, fx.citizens[9]!];
    await fx.consent(bank.agreementId, watchedCitizen._id);
    const publisher = new RecordPublisher(testKafka());
    await publisher.connect();
    const change = (personalId: string, field: string, value: unknown, n: number): CitizenChange =>
      ({
        changeId: `ev-${n}:${field}`,
        personalId,
        field,
        value,
        previous: null,
        source: 'residence',
        eventId: `ev-${n}`,
        eventType: 'permanent-residence-registered',
        effectiveAt: '2026-11-01T00:00:00Z',
        recordedAt: '2026-11-01T00:00:00Z',
        authoritative: true,
      }) as CitizenChange;
    const publish = (changes: CitizenChange[]) =>
      publisher.publish(
        CHANGES_TOPIC,
        changes.map((one) => ({ key: one.personalId, value: JSON.stringify(one) })),
      );

    const open = (cursor: string) => {
      const received: Change[] = [];
      const stream = bank.exchange.watchChanges({
        context: context(bank, 'EKYC_ACCOUNT_OPENING'),
        cursor,
        personalIds: [watchedCitizen._id],
      });
      const ended = new Promise<{ code: number; reason: string }>((resolve) => {
        stream.on('error', (error: { code: number; metadata?: Metadata }) =>
          resolve({ code: error.code, reason: String(error.metadata?.get('dancu-reason')[0] ?? '') }),
        );
      });
      const markers: Change[] = [];
      stream.on('data', (message: Change) => (message.changeId === '' ? markers : received).push(message));
      return { stream, received, markers, ended };
    };
    try {
      // A non-state consumer must name the citizens it watches.
      const unnamed = bank.exchange.watchChanges({ context: context(bank, 'EKYC_ACCOUNT_OPENING'), cursor: '', personalIds: [] });
      const unnamedEnd = await new Promise<{ code: number }>((resolve) => unnamed.on('error', resolve));
      expect(unnamedEnd.code).toBe(status.INVALID_ARGUMENT);

      const first = open('');
      // The first message is a position marker: from here on, nothing published can be missed.
      await waitFor('the opening position marker', async () => first.markers.length >= 1);
      expect(first.markers[0]).toMatchObject({ changeId: '', personalId: '' });
      expect(first.markers[0]!.cursor).not.toBe('');
      await publish([
        change(watchedCitizen._id, 'permanentAddress', { province: 'Hà Nội' }, 1),
        change(watchedCitizen._id, 'bloodType', 'O', 2),
        change(otherCitizen._id, 'permanentAddress', { province: 'Huế' }, 3),
      ]);
      await waitFor('the watched citizen’s granted change', async () => first.received.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(first.received.map((message) => [message.personalId, message.value?.field])).toEqual([
        [watchedCitizen._id, 'permanentAddress'],
      ]);
      const cursor = first.received[0]!.cursor;
      first.stream.cancel();

      // While nobody watches, a change arrives; the resumed stream gets it, and only it.
      await publish([change(watchedCitizen._id, 'permanentAddress', { province: 'Đà Nẵng' }, 4)]);
      const second = open(cursor);
      await waitFor('the change made while disconnected', async () => second.received.length >= 1);
      expect(second.received.map((message) => message.changeId)).toEqual(['ev-4:permanentAddress']);

      await fx.consent(bank.agreementId, watchedCitizen._id, 'revoked');
      expect(await second.ended).toEqual({ code: status.PERMISSION_DENIED, reason: 'CONSENT_REVOKED' });
    } finally {
      await publisher.close();
    }
  });

  it('R17, R11, R18, R15 over gRPC: a channel the category may not use is refused, the onward-sharing term is carried, the wrong authority cannot approve, a refusal needs a reason, and requests show their deadline', async () => {
    const director = await fx.operator('hn-director');
    const head = await fx.operator('c06-head');
    const telecomRequest = {
      organisation: {
        id: 'mobifone-x',
        name: 'Telecom X',
        category: 'TELECOM_PROVIDER',
        locality: { province: '01', district: '', commune: '' },
        functions: 'Mobile operator.',
      },
      system: { id: 'telx-kyc', name: 'Subscriber KYC', version: '2.0', database: 'subscribers', connectedViaEidPlatform: false },
      officerInCharge: { name: 'Lê Văn C', title: 'CISO', contact: 'c@telx.vn' },
      purposes: ['TELECOM_SUBSCRIBER_VERIFICATION'],
      scope: 'Subscriber verification.',
      grants: [{ field: 'fullName', modes: ['match'] }],
      services: ['Verify'],
      technicalDocuments: [{ title: 'Design', uri: 'https://telx.vn/design.pdf' }],
      validFrom: new Date(),
      validUntil: new Date(Date.now() + 100 * 86_400_000),
      quota: { ratePerSecond: 10, dailyLimit: 1000 },
      channel: 'ministry-approved-method',
      acceptsOnwardSharingTerm: 'onward-sharing/2021-1',
    };
    // R18: a telecom may not connect its database directly, as a state body does.
    const direct = await call(head, 'submitRequest', { ...telecomRequest, channel: 'population-db-connection' });
    expect(direct).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'CHANNEL_NOT_ALLOWED',
      details: expect.stringContaining('rule CHANNEL-LICENSED'),
    });
    const submitted = await call(head, 'submitRequest', telecomRequest);
    expect(submitted.ok).toBe(true);
    if (!submitted.ok) return;
    expect(submitted.response).toMatchObject({
      status: 'submitted',
      competentAuthority: 'agency-head',
      consentRequired: true,
      overdue: false,
      channel: 'ministry-approved-method',
    });
    expect(submitted.response.onwardSharing).toMatchObject({ id: 'onward-sharing/2021-1', text: expect.stringContaining('third party') });
    expect(submitted.response.deadline!.getTime()).toBeGreaterThan(Date.now());
    const id = submitted.response.id;
    expect(await call(director, 'reviewRequest', { agreementId: id, decision: 'approve', reason: '' })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'NOT_COMPETENT',
    });
    expect(await call(head, 'reviewRequest', { agreementId: id, decision: 'refuse', reason: ' ' })).toMatchObject({
      ok: false,
      code: status.INVALID_ARGUMENT,
      reason: 'REASON_REQUIRED',
    });
    expect(
      await call(head, 'reviewRequest', { agreementId: id, decision: 'refuse', reason: 'Purpose not within the licence.' }),
    ).toMatchObject({ ok: true, response: { status: 'refused' } });
    // A system certificate cannot act as an officer.
    const asSystem = await call(new RegistryClient(fx.address, ministry.credentials), 'listRequests', { status: '' });
    expect(asSystem).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'NOT_AN_OPERATOR' });
  });

  it('R16, R24, R15 over gRPC: GetServiceCatalogue gives an operator the versioned catalogue, when it is next due for review, and the onward-sharing term; a system is refused', async () => {
    const head = await fx.operator('c06-head');
    const answered = await call(head, 'getServiceCatalogue', {});
    expect(answered.ok).toBe(true);
    if (!answered.ok) return;
    const catalogue = answered.response;
    expect(catalogue.version).toBe(SERVICE_CATALOGUE.version);
    expect(catalogue.services.map((service) => service.name)).toEqual([...SERVICE_NAMES]);
    expect(catalogue.services.find((service) => service.name === 'Verify')).toMatchObject({
      fieldMode: 'match',
      description: expect.stringContaining('match or no match'),
    });
    expect(catalogue.fields).toEqual([...CITIZEN_FIELDS]);
    expect(catalogue.purposes.map((purpose) => purpose.code)).toEqual([...PURPOSE_CODES]);
    expect(catalogue.purposes.every((purpose) => purpose.labelVi !== '' && purpose.labelEn !== '')).toBe(true);
    expect(catalogue.publishedAt).toEqual(new Date(`${SERVICE_CATALOGUE.publishedAt}T00:00:00+07:00`));
    expect(catalogue.reviewDueAt!.getTime()).toBeGreaterThan(catalogue.lastReviewedAt!.getTime());
    expect(catalogue.reviewOverdue).toBe(Date.now() > catalogue.reviewDueAt!.getTime());
    expect(catalogue.onwardSharingTerm).toMatchObject({ id: ONWARD_SHARING_TERM.id, text: ONWARD_SHARING_TERM.text });
    const asSystem = await call(new RegistryClient(fx.address, ministry.credentials), 'getServiceCatalogue', {});
    expect(asSystem).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'NOT_AN_OPERATOR' });
  });

  it('R35: every call above left a journal entry, each refusal under its reason, and the chain verifies', async () => {
    const report = await verifyJournal(fx.store.db);
    expect(report.ok, JSON.stringify(report.firstBad)).toBe(true);
    // Every call journals (so do the registrations the fixture made, which are not calls).
    expect(callsMade.length).toBeGreaterThan(0);
    expect(report.checked).toBeGreaterThanOrEqual(callsMade.length);
    const { entries } = journalCollections(fx.store.db);
    for (const [reason, count] of countBy(callsMade.flatMap((made) => (made.reason ? [made.reason] : [])))) {
      expect(await entries.countDocuments({ reason }), `journal entries with reason ${reason}`).toBeGreaterThanOrEqual(count);
    }
  });
});

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
