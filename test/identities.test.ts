// Every identity is verified and revocable, on the real Kafka and FerretDB: certificates revoked
// (by `dancu pki revoke`, a re-issue, a revoked agreement) are refused at once by every hub
// instance, open streams included; expiry is checked on open streams; operators' reads of a
// citizen or a dead letter are journaled, and dead letters are listed with values redacted.
//
// Two hub API instances share one store. The second caches registry reads for an hour and
// re-checks its streams hourly, so whatever it refuses within the test, it refuses because the
// invalidation topic told it to, not because a cache expired.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ChannelCredentials, type Metadata, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubApi } from '../hub/api/hub-api.ts';
import { deadLetterOf } from '../hub/ingest/dead-letter.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { clientCredentials } from '../hub/pki/credentials.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { DLQ_TOPIC, sourceTopic } from '../kafka/topics.ts';
import { type Change, ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { OperationsClient } from '../proto/gen/dancu/operations/v1/operations.ts';
import { RegistryClient } from '../proto/gen/dancu/registry/v1/registry.ts';
import { testEndpoints } from './endpoints.ts';
import { type Consumer, type ConsumerSpec, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN, publishRaw, waitFor } from './harness.ts';

const run = promisify(execFile);
const DAY_MS = 86_400_000;
/** Long enough to be sure, never a claim about speed: without the topic the second instance would take an hour. */
const AT_ONCE_MS = 30_000;

const STATE_GRANTS = [
  { field: 'fullName', modes: ['disclose', 'match'] },
  { field: 'dateOfBirth', modes: ['disclose', 'match'] },
  { field: 'permanentAddress', modes: ['disclose'] },
];

function stateBody(system: string): ConsumerSpec {
  return {
    organisation: `org-${system}`,
    category: 'CENTRAL_STATE_BODY',
    system,
    services: ['Lookup', 'WatchChanges'],
    purposes: ['SOCIAL_INSURANCE'],
    grants: STATE_GRANTS,
  };
}

type Ended = { code: number; reason: string };

describe('identities: revocation, expiry, journaled operator reads', () => {
  let fx: ExchangeFixture;
  let second: HubApi;
  /** How far the first instance's clock is ahead of the real one. */
  let skewMs = 0;
  let ca: string;

  function dancu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return dancuWith({}, ...args);
  }

  async function dancuWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [DANCU_BIN, ...args], {
        env: cliEnv({ DANCU_DB: fx.database, DANCU_PKI_DIR: fx.pkiDir, USER: 'test-operator', ...env }),
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  /** An Exchange client of the second instance. */
  const onSecond = (credentials: ChannelCredentials) => new ExchangeClient(`localhost:${second.port}`, credentials);

  function lookup(client: ExchangeClient, consumer: Consumer, agreementId = consumer.agreementId) {
    const context = { agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-1', officerId: 'officer-1' };
    return call(client, 'lookup', { context, citizen: keyOf(fx.citizens[0]!), fields: ['fullName'] });
  }

  /** Opens a WatchChanges stream; `opened` once its position marker arrived, `ended` with its refusal. */
  function watch(client: ExchangeClient, consumer: Consumer, purpose = 'SOCIAL_INSURANCE', personalIds: string[] = []) {
    const stream = client.watchChanges({
      context: { agreementId: consumer.agreementId, purpose, caseReference: 'HS-1', officerId: 'officer-1' },
      cursor: '',
      personalIds,
    });
    let marked = false;
    stream.on('data', (message: Change) => (marked ||= message.changeId === ''));
    const ended = new Promise<Ended>((resolve) => {
      stream.on('error', (error: { code: number; metadata?: Metadata }) =>
        resolve({ code: error.code, reason: String(error.metadata?.get('dancu-reason')[0] ?? '') }),
      );
    });
    return { stream, ended, opened: () => waitFor('the stream’s position marker', async () => marked) };
  }

  /** Waits for a call to be refused with `reason`, and returns what it was refused with. */
  async function refusedWith(attempt: () => ReturnType<typeof lookup>, reason: string) {
    return waitFor(
      `a ${reason} refusal`,
      async () => {
        const outcome = await attempt();
        return !outcome.ok && outcome.reason === reason ? outcome : undefined;
      },
      AT_ONCE_MS,
    );
  }

  async function newCertificate(system: string, organisation: string): Promise<ChannelCredentials> {
    const issued = await issueCertificate(fx.pkiDir, { kind: 'system', id: system, organisation, validDays: 30 });
    await fx.api.registry.recordCertificate(system, issued.fingerprint256, new CaKeyHolder('test'));
    return clientCredentials({ caPem: ca, certPem: issued.certificatePem, keyPem: issued.privateKeyPem });
  }

  beforeAll(async () => {
    fx = await startExchangeFixture({ clock: () => new Date(Date.now() + skewMs) });
    const { kafkaBrokers, mongodbUri } = testEndpoints();
    second = await HubApi.start({
      kafkaBrokers,
      mongodbUri,
      database: fx.database,
      address: '127.0.0.1:0',
      pkiDir: fx.pkiDir,
      recheckMs: 3_600_000,
      enforcementCacheMs: 3_600_000,
      log: () => {},
    });
    ca = await readFile(pkiFiles(fx.pkiDir).caCertificate, 'utf8');
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await fx?.stop();
  });

  it('R22, R29–R31: a certificate revoked with `dancu pki revoke` is refused at once by another hub instance, its open stream ended; a new certificate is served', async () => {
    const consumer = await fx.register(stateBody('vss-revoked'));
    const client = onSecond(consumer.credentials);
    expect((await lookup(client, consumer)).ok).toBe(true); // cached on the second instance from here on
    const stream = watch(client, consumer);
    await stream.opened();

    const revoked = await dancu('pki', 'revoke', 'vss-revoked', '--reason', 'the private key left the building');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('1 certificate(s) revoked');

    expect(await stream.ended).toEqual({ code: status.UNAUTHENTICATED, reason: 'CERTIFICATE_REVOKED' });
    const refused = await refusedWith(() => lookup(client, consumer), 'CERTIFICATE_REVOKED');
    expect(refused).toMatchObject({ code: status.UNAUTHENTICATED });
    await refusedWith(() => lookup(consumer.exchange, consumer), 'CERTIFICATE_REVOKED'); // the first instance too

    // A new certificate for the same system is served on both, at once.
    const renewed = await newCertificate('vss-revoked', 'org-vss-revoked');
    await waitFor(
      'the new certificate served by the second instance',
      async () => (await lookup(onSecond(renewed), consumer)).ok,
      AT_ONCE_MS,
    );
    expect((await lookup(new ExchangeClient(fx.address, renewed), consumer)).ok).toBe(true);
    const entries = await queryJournal(fx.store.db, { act: 'registry' });
    // No --officer: the CA key holder revoked, and the journal says so (there is no --by to name anyone).
    expect(entries.find((entry) => entry.action === 'revoke-certificate' && entry.decision === 'done')).toMatchObject({
      actor: { officer: 'ca-key-holder:test-operator' },
    });
  }, 120_000);

  it('R22: a suspension and a reinstatement made on one instance take effect at once on another', async () => {
    const consumer = await fx.register(stateBody('vss-suspended'));
    const client = onSecond(consumer.credentials);
    expect((await lookup(client, consumer)).ok).toBe(true);
    const stream = watch(client, consumer);
    await stream.opened();

    await fx.api.registry.suspendAgreement(consumer.agreementId, 'c06-head', 'audit finding');
    expect(await stream.ended).toEqual({ code: status.PERMISSION_DENIED, reason: 'AGREEMENT_SUSPENDED' });
    await refusedWith(() => lookup(client, consumer), 'AGREEMENT_SUSPENDED');

    await fx.api.registry.reinstateAgreement(consumer.agreementId, 'c06-head', 'finding closed');
    await waitFor('the reinstated agreement served by the second instance', async () => (await lookup(client, consumer)).ok, AT_ONCE_MS);
  }, 120_000);

  it('R12, R22: a consent revoked on one instance ends the stream watching that citizen on another at once', async () => {
    const bank = await fx.register({
      organisation: 'vietbank',
      category: 'CREDIT_INSTITUTION',
      system: 'vietbank-watch',
      services: ['Lookup', 'WatchChanges'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: [{ field: 'permanentAddress', modes: ['disclose'] }],
    });
    const citizen = fx.citizens[1]!._id;
    await fx.consent(bank.agreementId, citizen);
    const stream = watch(onSecond(bank.credentials), bank, 'EKYC_ACCOUNT_OPENING', [citizen]);
    await stream.opened();

    await fx.consent(bank.agreementId, citizen, 'revoked');
    expect(await stream.ended).toEqual({ code: status.PERMISSION_DENIED, reason: 'CONSENT_REVOKED' });
  }, 120_000);

  it('R22, R29–R31: a revoked agreement does not carry its system’s certificates into a new agreement; a new certificate works under it', async () => {
    const first = await fx.register(stateBody('vss-renewed'));
    expect((await lookup(first.exchange, first)).ok).toBe(true);
    await fx.api.registry.revokeAgreement(first.agreementId, 'c06-head', 'the ministry ended the service');
    await refusedWith(() => lookup(onSecond(first.credentials), first), 'CERTIFICATE_REVOKED');

    // The same system, a new agreement: the old certificate is not part of it.
    const again = await fx.register(stateBody('vss-renewed'));
    expect(await lookup(first.exchange, first, again.agreementId)).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'CERTIFICATE_REVOKED',
    });
    expect((await lookup(again.exchange, again)).ok).toBe(true);
    await waitFor(
      'the new agreement served by the second instance',
      async () => (await lookup(onSecond(again.credentials), again)).ok,
      AT_ONCE_MS,
    );
  }, 120_000);

  it('R22: a certificate that expires while its stream is open ends the stream and is refused as CERTIFICATE_EXPIRED; before, it is served', async () => {
    const consumer = await fx.register(stateBody('vss-expiring'));
    const stream = watch(consumer.exchange, consumer);
    await stream.opened();
    expect((await lookup(consumer.exchange, consumer)).ok).toBe(true);
    try {
      skewMs = 31 * DAY_MS; // past the sandbox certificate's 30 days, within the agreement and the assessment
      expect(await stream.ended).toEqual({ code: status.UNAUTHENTICATED, reason: 'CERTIFICATE_EXPIRED' });
      expect(await lookup(consumer.exchange, consumer)).toMatchObject({
        ok: false,
        code: status.UNAUTHENTICATED,
        reason: 'CERTIFICATE_EXPIRED',
      });
    } finally {
      skewMs = 0;
    }
    expect((await lookup(consumer.exchange, consumer)).ok).toBe(true);
  }, 120_000);

  it('R22, R17: re-issuing an operator certificate revokes the previous one unless --keep-previous, and `dancu pki revoke --operator` revokes them all, at once on every instance', async () => {
    const out = await mkdtemp(join(tmpdir(), 'dancu-operator-'));
    const registryOf = async (dir: string) =>
      new RegistryClient(
        `localhost:${second.port}`,
        clientCredentials({
          caPem: ca,
          certPem: await readFile(join(dir, 'hn-director.crt.pem'), 'utf8'),
          keyPem: await readFile(join(dir, 'hn-director.key.pem'), 'utf8'),
        }),
      );
    const list = (client: RegistryClient) => call(client, 'listRequests', { status: '' });
    try {
      const issue = (dir: string, ...more: string[]) =>
        dancu('pki', 'issue', 'hn-director', '--operator', '--out', join(out, dir), ...more);
      expect((await issue('one')).code).toBe(0);
      const one = await registryOf(join(out, 'one'));
      expect((await list(one)).ok).toBe(true);

      const kept = await issue('two', '--keep-previous');
      expect(kept.code, kept.stderr).toBe(0);
      const two = await registryOf(join(out, 'two'));
      expect((await list(two)).ok).toBe(true);
      expect((await list(one)).ok).toBe(true); // an overlap asked for

      const replaced = await issue('three');
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(replaced.stdout.match(/^revoked /gm)).toHaveLength(2);
      expect(await list(one)).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, reason: 'CERTIFICATE_REVOKED' });
      expect(await list(two)).toMatchObject({ ok: false, reason: 'CERTIFICATE_REVOKED' });
      const three = await registryOf(join(out, 'three'));
      expect((await list(three)).ok).toBe(true);

      const revoked = await dancu('pki', 'revoke', 'hn-director', '--operator', '--reason', 'left the service');
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(await list(three)).toMatchObject({ ok: false, reason: 'CERTIFICATE_REVOKED' });
      const unknown = await dancu('pki', 'revoke', 'nobody', '--operator', '--reason', 'x');
      expect(unknown.code).toBe(4); // not found
      expect(unknown.stderr).toContain('no officer nobody');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('R35, R8, R17: `dancu citizen show` is journaled — the certificate’s officer, the citizen, the fields, why — before the record is shown; without the officer’s certificate it is refused, journaled', async () => {
    const citizen = fx.citizens[2]!;
    expect((await dancu('pki', 'issue', 'c06-head', '--operator', '--keep-previous')).code).toBe(0); // into <pki>/issued
    const shown = await dancu('citizen', 'show', citizen._id, '--officer', 'c06-head', '--reason', 'complaint 2026-17', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).personalId).toBe(citizen._id);
    const [entry] = await queryJournal(fx.store.db, { citizen: citizen._id, act: 'operator-read' });
    expect(entry).toMatchObject({
      action: 'citizen-show',
      actor: { officer: 'c06-head' },
      decision: 'done',
      detail: 'record and history shown: complaint 2026-17',
    });
    expect(entry!.fields).toEqual(expect.arrayContaining(['fullName', 'dateOfBirth']));
    // A citizen not on record is a journaled read too.
    const nobody = '001099999999';
    expect((await dancu('citizen', 'show', nobody, '--officer', 'c06-head')).code).toBe(4); // not found
    expect((await queryJournal(fx.store.db, { citizen: nobody, act: 'operator-read' }))[0]).toMatchObject({
      actor: { officer: 'c06-head' },
      decision: 'done',
      detail: 'not on record',
    });

    // Refused, and journaled naming the claim: no certificate; a flag naming another officer than the certificate's.
    const other = fx.citizens[5]!;
    const bare = await dancu('citizen', 'show', other._id);
    expect(bare.code).toBe(3); // refused
    expect(bare.stdout).toBe('');
    const issued = join(fx.pkiDir, 'issued');
    const claimed = await dancuWith(
      { DANCU_OPERATOR_CERT: join(issued, 'c06-head.crt.pem'), DANCU_OPERATOR_KEY: join(issued, 'c06-head.key.pem') },
      'citizen',
      'show',
      other._id,
      '--officer',
      'hn-director',
    );
    expect(claimed.code).toBe(3);
    expect(claimed.stderr).toContain("not the certificate's officer (c06-head)");
    const refused = await queryJournal(fx.store.db, { citizen: other._id, act: 'operator-read' });
    expect(refused.map((one) => [one.actor.officer, one.decision, one.reason])).toEqual([
      ['hn-director', 'refused', 'NOT_AN_OPERATOR'],
      ['test-operator', 'refused', 'NOT_AN_OPERATOR'],
    ]);
  }, 60_000);

  it('R17, R35: every Registry and Operations call is an act the certificate’s officer must be competent for, with a certificate recorded for them; the journal names the officer', async () => {
    const consumer = await fx.register(stateBody('vss-competence'));
    const head = await fx.operator('c06-head');
    const director = await fx.operator('hn-director');
    const assessment = {
      systemId: 'vss-competence',
      systemVersion: '1.0.0',
      level: 3,
      assessedAt: new Date(),
      kind: 'periodic',
      findings: 'Clean.',
      assessor: 'A05',
    };
    // Below the level the act needs (R17): refused, journaled.
    expect(await call(director, 'recordAssessment', assessment)).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'NOT_COMPETENT',
    });
    expect(await call(director, 'confirmEidPlatform', { systemId: 'vss-competence', reference: 'CV-9' })).toMatchObject({
      ok: false,
      reason: 'NOT_COMPETENT',
    });
    expect(
      await call(director, 'changeAgreementStatus', { agreementId: consumer.agreementId, action: 'suspend', reason: 'x' }),
    ).toMatchObject({ ok: false, reason: 'NOT_COMPETENT' });
    // Certificates the registry never recorded for a registered officer: an unregistered officer's, or one issued outside `dancu pki issue`.
    const unrecorded = async (id: string) => {
      const issued = await issueCertificate(fx.pkiDir, { kind: 'operator', id, organisation: 'population-data-agency', validDays: 1 });
      return new RegistryClient(fx.address, clientCredentials({ caPem: ca, certPem: issued.certificatePem, keyPem: issued.privateKeyPem }));
    };
    expect(await call(await unrecorded('ghost'), 'listRequests', { status: '' })).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'CERTIFICATE_NOT_REGISTERED',
    });
    expect(await call(await unrecorded('c06-head'), 'listRequests', { status: '' })).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'CERTIFICATE_NOT_REGISTERED',
    });

    // Allowed: the agency head's acts, any officer's reading of connector health.
    expect(await call(head, 'recordAssessment', assessment)).toMatchObject({ ok: true });
    expect(
      await call(head, 'changeAgreementStatus', { agreementId: consumer.agreementId, action: 'suspend', reason: 'audit' }),
    ).toMatchObject({ ok: true, response: { status: 'suspended' } });
    expect(await call(new OperationsClient(fx.address, await fx.operatorCredentials('hn-director')), 'listConnectors', {})).toMatchObject({
      ok: true,
    });
    const entries = await queryJournal(fx.store.db, { agreement: consumer.agreementId, act: 'registry' });
    expect(entries.find((entry) => entry.action === 'suspend-agreement' && entry.decision === 'done')).toMatchObject({
      actor: { officer: 'c06-head' },
    });
    const refusals = await queryJournal(fx.store.db, { act: 'registry', limit: 1000 });
    expect(refusals.find((entry) => entry.action === 'Registry.RecordAssessment' && entry.reason === 'NOT_COMPETENT')).toMatchObject({
      actor: { officer: 'hn-director' },
    });
  }, 120_000);

  it('R12: over the Registry service a consent is recorded only with the citizen’s signed confirmation', async () => {
    const bank = await fx.register({
      organisation: 'vietbank-grpc',
      category: 'CREDIT_INSTITUTION',
      system: 'vietbank-grpc',
      services: ['Lookup'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    const officer = await fx.operator('c06-head');
    const citizen = fx.citizens[6]!._id;
    const lookup = () =>
      call(bank.exchange, 'lookup', {
        context: { agreementId: bank.agreementId, purpose: 'EKYC_ACCOUNT_OPENING', caseReference: 'KH-1', officerId: 'teller-1' },
        citizen: keyOf(fx.citizens[6]!),
        fields: ['fullName'],
      });
    expect(await call(officer, 'recordConsent', { agreementId: bank.agreementId, personalId: citizen, confirmation: '' })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'CONSENT_NOT_CONFIRMED',
    });
    const neighbours = await fx.eid.sign({
      personalId: fx.citizens[7]!._id,
      consent: { agreement: bank.agreementId, decision: 'granted', channel: 'VNeID' },
    });
    expect(
      await call(officer, 'recordConsent', { agreementId: bank.agreementId, personalId: citizen, confirmation: neighbours }),
    ).toMatchObject({ ok: false, reason: 'CONSENT_NOT_CONFIRMED' });
    expect(await lookup()).toMatchObject({ ok: false, reason: 'CONSENT_MISSING' });
    const confirmation = await fx.eid.sign({
      personalId: citizen,
      consent: { agreement: bank.agreementId, decision: 'granted', channel: 'VNeID' },
    });
    expect(await call(officer, 'recordConsent', { agreementId: bank.agreementId, personalId: citizen, confirmation })).toMatchObject({
      ok: true,
      response: { status: 'granted', channel: 'VNeID' },
    });
    await waitFor('the consent served', async () => (await lookup()).ok, AT_ONCE_MS);
  }, 120_000);

  it('R35, R2: `dancu dlq list` shows dead letters with their values redacted; `dancu dlq show` shows one whole to a registered officer, journaled, and refuses anyone else, journaled too', async () => {
    const personalId = fx.citizens[3]!._id;
    const value = JSON.stringify({ personalId, marker: randomUUID(), payload: { fullName: 'Nguyễn Thị Mai' } });
    const letter = deadLetterOf(
      {
        topic: sourceTopic('residence'),
        partition: 0,
        offset: '7',
        key: Buffer.from(personalId),
        value: Buffer.from(value),
        headers: { 'dancu-event-id': `ev-${personalId}` },
        timestamp: String(Date.now()),
      },
      { reason: 'schema-violation', detail: `personal id "${personalId}" does not match ${personalId}`, path: '/payload/dateOfBirth' },
    );
    await publishRaw(DLQ_TOPIC, [{ key: personalId, value: JSON.stringify(letter) }]);

    const listed = await dancu('dlq', 'list', '--reason', 'schema-violation', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const mine = (JSON.parse(listed.stdout) as { original?: { sha256: string }; dlqPartition: number; dlqOffset: string }[]).find(
      (one) => one.original?.sha256 === letter.original.sha256,
    );
    expect(mine).toBeDefined();
    expect(JSON.stringify(mine)).not.toContain(personalId);
    expect(JSON.stringify(mine)).not.toContain('Nguyễn');
    expect(mine).not.toHaveProperty('originalValueBase64');
    const table = await dancu('dlq', 'list', '--reason', 'schema-violation');
    expect(table.stdout).not.toContain(personalId);

    const place = `${mine!.dlqPartition}:${mine!.dlqOffset}`;
    const stranger = await dancu('dlq', 'show', place, '--officer', 'someone', '--reason', 'curious');
    expect(stranger.code).toBe(3);
    expect(stranger.stderr).toContain('someone is not an authenticated officer');
    expect(stranger.stdout).not.toContain(personalId);

    const officer = await dancu('dlq', 'show', place, '--officer', 'c06-head', '--reason', 'source asked why its record was refused');
    expect(officer.code, officer.stderr).toBe(0);
    expect(officer.stdout).toContain(value);
    const entries = await queryJournal(fx.store.db, { citizen: personalId, act: 'operator-read' });
    expect(entries.map((entry) => [entry.action, entry.actor.officer, entry.decision])).toEqual(
      expect.arrayContaining([
        ['dlq-show', 'someone', 'refused'],
        ['dlq-show', 'c06-head', 'done'],
      ]),
    );
  }, 120_000);
});
