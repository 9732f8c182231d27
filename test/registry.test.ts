import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, MongoClient } from 'mongodb';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEidIssuer } from '../deploy/local/eid-issuer.ts';
import { DEFAULT_EID_AUDIENCE, EidVerifier, LOCAL_EID_ISSUER } from '../hub/eid/eid-assertion.ts';
import type { JournalEntryInput, JournalReceipt, JournalWriter } from '../hub/journal/journal-entry.ts';
import { agreementInForce } from '../hub/registry/agreement.ts';
import { registerCatalogueMetrics } from '../hub/registry/catalogue-metrics.ts';
import { catalogueWarning } from '../hub/registry/catalogue-review.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { Registry } from '../hub/registry/registry.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { makePersonalId } from '../schemas/personal-id.ts';
import { testEndpoints } from './endpoints.ts';
import { uniqueName } from './harness.ts';

/** Keeps what the registry journals, in order. */
class RecordingJournal implements JournalWriter {
  readonly entries: JournalEntryInput[] = [];
  async append(entry: JournalEntryInput): Promise<JournalReceipt> {
    this.entries.push(entry);
    return { chain: 'hub', sequence: this.entries.length, hash: '0'.repeat(64) };
  }
  last(): JournalEntryInput {
    return this.entries.at(-1)!;
  }
}

const vn = (local: string) => new Date(`${local}+07:00`);
const exampleRequest = () =>
  JSON.parse(readFileSync(new URL('../deploy/examples/connection-request.json', import.meta.url), 'utf8')) as Record<string, any>;

async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return (error as RegistryError).code;
}

describe('the registry on the real FerretDB', () => {
  let client: MongoClient;
  let db: Db;
  let registry: Registry;
  let eidDir: string;
  let eid: LocalEidIssuer;
  const journal = new RecordingJournal();
  /** The citizen's consent confirmation, as the e-identification platform signs it in VNeID. */
  const confirmation = (agreement: string, decision: 'granted' | 'revoked', personalId = citizen) =>
    eid.sign({ personalId, consent: { agreement, decision, channel: 'VNeID' } });
  let clock = vn('2026-03-10T09:00:00'); // a Tuesday
  const citizen = makePersonalId('001', 'female', 1990, 123456);

  beforeAll(async () => {
    client = await MongoClient.connect(testEndpoints().mongodbUri);
    db = client.db(uniqueName('dancu_registry'));
    eidDir = await mkdtemp(join(tmpdir(), 'dancu-registry-eid-'));
    eid = await LocalEidIssuer.open(eidDir);
    registry = await Registry.open(db, journal, {
      now: () => clock,
      eid: new EidVerifier({ jwks: eid.files.jwks, issuer: LOCAL_EID_ISSUER, audience: DEFAULT_EID_AUDIENCE }),
    });
    // The bootstrap: the CA key holder registers the first officer, an agency head, who registers the rest.
    await registry.addOfficer({ _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' }, new CaKeyHolder('root'));
    await registry.addOfficer(
      { _id: 'hn-director', name: 'Giám đốc Công an TP Hà Nội', level: 'provincial-police', locality: { province: '01' } },
      'c06-head',
    );
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    await rm(eidDir, { recursive: true, force: true });
  });

  it('R33: a submitted request is kept with its R11 deadline, and a malformed one is refused and journaled', async () => {
    const submitted = await registry.submitRequest(exampleRequest(), 'hn-director', { requestId: 'cr-vietbank' });
    expect(submitted).toMatchObject({ _id: 'cr-vietbank', status: 'submitted', deadline: vn('2026-03-13T23:59:59.999'), overdue: false });
    expect(journal.last()).toMatchObject({
      act: 'registry',
      action: 'submit-request',
      actor: { organisation: 'vietbank', system: 'vietbank-ekyc', officer: 'hn-director' },
      decision: 'done',
      agreement: 'cr-vietbank',
    });
    // A retried submission is a replay, not a second request.
    expect((await registry.submitRequest(exampleRequest(), 'hn-director', { requestId: 'cr-vietbank' }))._id).toBe('cr-vietbank');
    expect(await registry.listOfficers()).toHaveLength(2);

    const bad = exampleRequest();
    bad.grants.push({ field: 'salary', modes: ['disclose'] });
    expect(await refusal(registry.submitRequest(bad, 'c06-head'))).toBe('INVALID');
    expect(journal.last()).toMatchObject({
      action: 'submit-request',
      decision: 'refused',
      reason: 'INVALID',
      detail: expect.stringContaining('"salary" is not a citizen field'),
    });
  });

  it('R11: a request undecided past its third working day is listed as overdue', async () => {
    clock = vn('2026-03-14T08:00:00');
    const [listed] = await registry.listRequests('c06-head', { status: 'submitted' });
    expect(listed).toMatchObject({ _id: 'cr-vietbank', overdue: true });
  });

  it("R17: the Hanoi police director may not decide a credit institution's request; the agency head approves it", async () => {
    expect(await refusal(registry.reviewRequest('cr-vietbank', { officerId: 'hn-director', decision: 'approve' }))).toBe('NOT_COMPETENT');
    expect(journal.last()).toMatchObject({
      action: 'review-request',
      actor: { officer: 'hn-director' },
      decision: 'refused',
      reason: 'NOT_COMPETENT',
      agreement: 'cr-vietbank',
    });

    expect(await refusal(registry.reviewRequest('cr-vietbank', { officerId: 'c06-head', decision: 'refuse', reason: '  ' }))).toBe(
      'REASON_REQUIRED',
    );
    expect(journal.last()).toMatchObject({ action: 'review-request', decision: 'refused', reason: 'REASON_REQUIRED' });

    const approved = await registry.reviewRequest('cr-vietbank', {
      officerId: 'c06-head',
      decision: 'approve',
      narrowing: { quota: { ratePerSecond: 10, dailyLimit: 2 } },
    });
    expect(approved).toMatchObject({ status: 'approved', overdue: false, terms: { quota: { ratePerSecond: 10, dailyLimit: 2 } } });
    expect(approved.history.map((change) => change.status)).toEqual(['submitted', 'approved']);
    expect(journal.last()).toMatchObject({
      action: 'review-request',
      actor: { officer: 'c06-head' },
      decision: 'done',
      detail: 'approve',
      fields: ['fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'idCard'],
    });

    const [agreement] = await registry.findAgreementsForSystem('vietbank-ekyc');
    expect(agreement).toMatchObject({
      id: 'cr-vietbank',
      status: 'approved',
      consentRequired: true,
      feeClass: 'chargeable',
      approvedBy: 'c06-head',
    });
    expect(await registry.findAgreementsForSystem('no-such-system')).toEqual([]);
  });

  it("R18, R10, R14: a request through a channel its requester's category may not use is refused at submission, naming the rule, and journaled", async () => {
    const direct = exampleRequest();
    direct.channel = 'population-db-connection';
    expect(await refusal(registry.submitRequest(direct, 'hn-director', { requestId: 'cr-bank-direct' }))).toBe('CHANNEL_NOT_ALLOWED');
    expect(journal.last()).toMatchObject({
      action: 'submit-request',
      decision: 'refused',
      reason: 'CHANNEL_NOT_ALLOWED',
      agreement: 'cr-bank-direct',
      detail: expect.stringContaining('by rule CHANNEL-LICENSED (R18, R10; draft circular Điều 6.2'),
    });
    expect(await refusal(registry.getRequest('cr-bank-direct'))).toBe('NOT_FOUND');

    const shop = exampleRequest();
    Object.assign(shop.organisation, { id: 'shop', category: 'OTHER_ORGANISATION', locality: { province: '01', district: '001' } });
    shop.system.id = 'shop-kyc';
    expect(await refusal(registry.submitRequest(shop, 'hn-director'))).toBe('CHANNEL_NOT_ALLOWED');
    expect(journal.last().detail).toContain(
      'a OTHER_ORGANISATION may not exploit through ministry-approved-method: only written-request, public-service-portal, by rule CHANNEL-OTHER',
    );
    shop.channel = 'public-service-portal';
    expect((await registry.submitRequest(shop, 'hn-director', { requestId: 'cr-shop-portal' })).status).toBe('submitted');
  });

  it('R15: an approved agreement carries the onward-sharing term its requester accepted at submission; a request that does not accept it is refused', async () => {
    expect(await registry.getAgreement('cr-vietbank')).toMatchObject({
      channel: 'ministry-approved-method',
      onwardSharing: { id: 'onward-sharing/2021-1', acceptedAt: vn('2026-03-10T09:00:00') },
    });
    const silent = exampleRequest();
    delete silent.acceptsOnwardSharingTerm;
    expect(await refusal(registry.submitRequest(silent, 'hn-director'))).toBe('INVALID');
    expect(journal.last()).toMatchObject({
      action: 'submit-request',
      decision: 'refused',
      reason: 'INVALID',
      detail: expect.stringContaining('(R15: '),
    });
  });

  it("R11: a refusal is kept with the officer's written reason", async () => {
    const other = exampleRequest();
    other.system.version = '4.3.0-beta';
    await registry.submitRequest(other, 'c06-head', { requestId: 'cr-beta' });
    const refused = await registry.reviewRequest('cr-beta', {
      officerId: 'c06-head',
      decision: 'refuse',
      reason: 'Beta versions are not connected.',
    });
    expect(refused.history.at(-1)).toMatchObject({
      status: 'refused',
      by: { officer: 'c06-head' },
      reason: 'Beta versions are not connected.',
    });
    expect(await refusal(registry.getAgreement('cr-beta'))).toBe('NOT_FOUND');
    expect(await refusal(registry.reviewRequest('cr-beta', { officerId: 'c06-head', decision: 'approve' }))).toBe('INVALID_TRANSITION');
  });

  it('R29–R31: the system may connect only once a level-3 assessment of its version is recorded', async () => {
    const agreement = await registry.getAgreement('cr-vietbank');
    expect(await registry.assessmentStatus(agreement)).toEqual({ ok: false, reason: 'ASSESSMENT_MISSING' });
    await registry.recordAssessment(
      {
        systemId: 'vietbank-ekyc',
        systemVersion: '4.2.0',
        level: 3,
        assessedAt: '2026-03-12',
        kind: 'initial',
        findings: 'none open',
        assessor: 'A05',
      },
      'c06-head',
    );
    expect(journal.last()).toMatchObject({
      action: 'record-assessment',
      actor: { organisation: 'A05', system: 'vietbank-ekyc', officer: 'c06-head' },
      decision: 'done',
    });
    expect(await registry.assessmentStatus(agreement)).toEqual({ ok: true });
    expect(await registry.assessmentStatus(agreement, vn('2027-03-13T00:00:00'))).toEqual({ ok: false, reason: 'ASSESSMENT_EXPIRED' });
    expect(
      await refusal(
        registry.recordAssessment(
          { systemId: 'unknown', systemVersion: '1', level: 3, assessedAt: '2026-03-12', kind: 'initial', findings: '-', assessor: 'A05' },
          'c06-head',
        ),
      ),
    ).toBe('NOT_FOUND');

    await registry.recordCertificate('vietbank-ekyc', `${'ab:'.repeat(31)}ab`, new CaKeyHolder('root'));
    expect((await registry.findSystem('vietbank-ekyc'))?.certificateFingerprints).toEqual([`${'AB:'.repeat(31)}AB`]);
  });

  it('R12: a bank reads a citizen only after the citizen consented in VNeID, and not after revoking', async () => {
    expect(await registry.consentStatus('cr-vietbank', citizen)).toEqual({ required: true, granted: false, reason: 'CONSENT_MISSING' });
    await registry.recordConsent('cr-vietbank', citizen, 'hn-director', await confirmation('cr-vietbank', 'granted'));
    expect(journal.last()).toMatchObject({
      action: 'record-consent',
      actor: { citizen, officer: 'hn-director' },
      citizens: [citizen],
      agreement: 'cr-vietbank',
      decision: 'done',
    });
    expect(await registry.consentStatus('cr-vietbank', citizen)).toMatchObject({ required: true, granted: true, channel: 'VNeID' });
    await registry.revokeConsent('cr-vietbank', citizen, 'hn-director', await confirmation('cr-vietbank', 'revoked'));
    expect(journal.last()).toMatchObject({ action: 'revoke-consent', actor: { citizen }, decision: 'done' });
    expect(await registry.consentStatus(await registry.getAgreement('cr-vietbank'), citizen)).toEqual({
      required: true,
      granted: false,
      reason: 'CONSENT_REVOKED',
    });
    expect(await refusal(registry.recordConsent('cr-vietbank', '123', 'hn-director', await confirmation('cr-vietbank', 'granted')))).toBe(
      'INVALID',
    );
  });

  it('R12: a consent is recorded only with the citizen’s own signed confirmation of exactly that consent; an older confirmation never undoes a later one', async () => {
    const other = makePersonalId('001', 'male', 1985, 654321);
    const signedEarlier = await eid.sign({
      personalId: other,
      consent: { agreement: 'cr-vietbank', decision: 'granted', channel: 'VNeID' },
      issuedAt: new Date(Date.now() - 120_000),
    });
    const refusals = [
      await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', '')), // nothing signed: an operator's word
      await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', await confirmation('cr-vietbank', 'granted', citizen))), // another citizen's
      await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', await confirmation('cr-beta', 'granted', other))), // another agreement
      await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', await confirmation('cr-vietbank', 'revoked', other))), // a withdrawal
      await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', await eid.sign({ personalId: other }))), // a login, no consent
      await refusal(
        registry.recordConsent(
          'cr-vietbank',
          other,
          'hn-director',
          await eid.sign({
            personalId: other,
            audience: 'another-hub',
            consent: { agreement: 'cr-vietbank', decision: 'granted', channel: 'VNeID' },
          }),
        ),
      ),
      await refusal(
        registry.recordConsent(
          'cr-vietbank',
          other,
          'hn-director',
          await eid.sign({
            personalId: other,
            issuedAt: new Date(Date.now() - 3_600_000),
            consent: { agreement: 'cr-vietbank', decision: 'granted', channel: 'VNeID' },
          }),
        ),
      ), // expired
    ];
    expect(refusals).toEqual(Array(7).fill('NOT_CONFIRMED'));
    expect(journal.last()).toMatchObject({
      action: 'record-consent',
      actor: { officer: 'hn-director', citizen: other },
      decision: 'refused',
      reason: 'NOT_CONFIRMED',
    });
    expect(await registry.consentStatus('cr-vietbank', other)).toEqual({ required: true, granted: false, reason: 'CONSENT_MISSING' });

    const withdrawal = await confirmation('cr-vietbank', 'revoked', other);
    await registry.recordConsent('cr-vietbank', other, 'hn-director', await confirmation('cr-vietbank', 'granted', other));
    const granted = await db.collection('consents').findOne({ _id: `cr-vietbank:${other}` as never });
    expect(granted).toMatchObject({ state: 'granted', channel: 'VNeID', evidence: { issuer: LOCAL_EID_ISSUER, channel: 'VNeID' } });
    // Replaying the grant signed two minutes before the grant on record changes nothing.
    expect(await refusal(registry.recordConsent('cr-vietbank', other, 'hn-director', signedEarlier))).toBe('CONFLICT');
    await registry.revokeConsent('cr-vietbank', other, 'hn-director', withdrawal);
    expect(await registry.consentStatus('cr-vietbank', other)).toEqual({ required: true, granted: false, reason: 'CONSENT_REVOKED' });
  });

  it('R23: two hub instances racing for quota leases never pass the daily limit, and the usage report sums the units per day and service', async () => {
    const agreement = await registry.getAgreement('cr-vietbank'); // 2 units a day
    const at = vn('2026-03-16T10:00:00');
    // Two registries stand for two hub instances, each leasing blocks of the day for itself.
    const other = await Registry.open(db, journal, { now: () => clock });
    const outcomes = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => (n % 2 === 0 ? registry : other).takeDailyQuota(agreement, 'Lookup', at)),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(2);
    expect(outcomes.filter((outcome) => !outcome.ok).every((outcome) => !outcome.ok && outcome.reason === 'QUOTA_EXCEEDED')).toBe(true);

    // Units follow the work: batches of 10 citizens take 10 units each, all or none. 30 batches
    // (300 units) race for 250: whatever the interleaving, at most 25 batches get their units.
    const wider = { ...agreement, quota: { ...agreement.quota, dailyLimit: 250 } };
    const next = vn('2026-03-17T08:00:00');
    const batches = await Promise.all(
      Array.from({ length: 30 }, (_, n) => (n % 2 === 0 ? registry : other).takeDailyQuota(wider, 'BatchLookup', next, 10)),
    );
    const allowed = batches.filter((outcome) => outcome.ok).length;
    expect(allowed * 10).toBeLessThanOrEqual(250);
    expect(allowed).toBeGreaterThanOrEqual(20); // only what one instance leased and did not use is lost to the other
    expect((await registry.takeDailyQuota(wider, 'Verify', next, 1000)).ok).toBe(false);

    // A crashed instance's lease, never released and not written for minutes, counts in full.
    await db.collection('quota_leases').insertOne({
      _id: 'cr-vietbank/2026-03-15/1',
      kind: 'lease',
      agreementId: 'cr-vietbank',
      day: '2026-03-15',
      block: 1,
      units: 2,
      instance: 'gone',
      leasedAt: new Date(clock.getTime() - 600_000),
      used: 1,
      services: { Verify: 1 },
      writtenAt: new Date(clock.getTime() - 600_000),
      released: false,
    } as never);

    await Promise.all([registry.flushUsage(), other.close()]);
    const report = await registry.usageReport('cr-vietbank', '2026-03-15', '2026-03-17', 'hn-director');
    expect(report).toMatchObject({
      feeClass: 'chargeable',
      total: { allowed: 2 + 2 + allowed * 10, refused: 4 + (30 - allowed) * 10 + 1000 },
    });
    expect(report.days).toEqual([
      { day: '2026-03-15', allowed: 2, refused: 0, services: { Verify: { allowed: 1, refused: 0 } }, unaccounted: 1 },
      { day: '2026-03-16', allowed: 2, refused: 4, services: { Lookup: { allowed: 2, refused: 4 } }, unaccounted: 0 },
      {
        day: '2026-03-17',
        allowed: allowed * 10,
        refused: (30 - allowed) * 10 + 1000,
        services: { BatchLookup: { allowed: allowed * 10, refused: (30 - allowed) * 10 }, Verify: { allowed: 0, refused: 1000 } },
        unaccounted: 0,
      },
    ]);
    // One write per block leased, not one per unit: 3 blocks of 250 units and one of 2, at most.
    expect(await db.collection('quota_leases').countDocuments({ kind: 'lease' })).toBeLessThanOrEqual(5);
  });

  it('R22: an agreement is suspended, reinstated and revoked by the competent officer, with reasons', async () => {
    expect(await refusal(registry.suspendAgreement('cr-vietbank', 'c06-head', ''))).toBe('REASON_REQUIRED');
    expect(await refusal(registry.suspendAgreement('cr-vietbank', 'hn-director', 'leak'))).toBe('NOT_COMPETENT');
    const suspended = await registry.suspendAgreement('cr-vietbank', 'c06-head', 'Suspected data leak under investigation.');
    expect(agreementInForce(suspended, clock)).toEqual({ ok: false, reason: 'AGREEMENT_SUSPENDED' });
    expect(journal.last()).toMatchObject({
      action: 'suspend-agreement',
      actor: { officer: 'c06-head' },
      decision: 'done',
      detail: 'suspend: Suspected data leak under investigation.',
    });
    // The same step retried answers the same, without a second history entry.
    await registry.suspendAgreement('cr-vietbank', 'c06-head', 'Suspected data leak under investigation.');

    expect((await registry.reinstateAgreement('cr-vietbank', 'c06-head', 'Investigation closed.')).status).toBe('approved');
    expect(journal.last()).toMatchObject({ action: 'reinstate-agreement', decision: 'done' });
    expect((await registry.revokeAgreement('cr-vietbank', 'c06-head', 'The bank ended the service.')).status).toBe('revoked');
    expect(await refusal(registry.reinstateAgreement('cr-vietbank', 'c06-head'))).toBe('INVALID_TRANSITION');
    expect(journal.last()).toMatchObject({ action: 'reinstate-agreement', decision: 'refused', reason: 'INVALID_TRANSITION' });

    const history = (await registry.getRequest('cr-vietbank')).history.map(
      (change) => `${change.status} by ${change.by.officer ?? change.by.organisation}`,
    );
    expect(history).toEqual([
      'submitted by vietbank',
      'approved by c06-head',
      'suspended by c06-head',
      'approved by c06-head',
      'revoked by c06-head',
    ]);
  });

  it('R35: every registry action left a journal entry naming its actor and decision', () => {
    const summary = journal.entries.map((entry) => `${entry.action} ${entry.decision}`);
    expect(summary).toEqual([
      'add-officer done',
      'add-officer done',
      'submit-request done',
      'submit-request done',
      'submit-request refused',
      'list-requests done',
      'review-request refused',
      'review-request refused',
      'review-request done',
      'submit-request refused',
      'submit-request refused',
      'submit-request done',
      'submit-request refused',
      'submit-request done',
      'review-request done',
      'review-request refused',
      'record-assessment done',
      'record-assessment refused',
      'record-certificate done',
      'record-consent done',
      'revoke-consent done',
      'record-consent refused',
      ...Array(7).fill('record-consent refused'),
      'record-consent done',
      'record-consent refused',
      'revoke-consent done',
      'usage-report done',
      'suspend-agreement refused',
      'suspend-agreement refused',
      'suspend-agreement done',
      'suspend-agreement done',
      'reinstate-agreement done',
      'revoke-agreement done',
      'reinstate-agreement refused',
    ]);
    expect(journal.entries.every((entry) => entry.act === 'registry' && typeof entry.actor.officer === 'string')).toBe(true);
  });

  it('R17: every act checks the acting officer’s competence from one table — level for the agency’s acts, area for a requester’s — and the journal names the officer', async () => {
    await registry.addOfficer(
      { _id: 'hcm-director', name: 'Giám đốc Công an TP HCM', level: 'provincial-police', locality: { province: '79' } },
      'c06-head',
    );
    const saigon = exampleRequest();
    saigon.organisation = { ...saigon.organisation, id: 'saigon-notary', category: 'NOTARY', locality: { province: '79' } };
    saigon.system = { ...saigon.system, id: 'saigon-notary-app' };
    saigon.purposes = ['NOTARISATION'];
    saigon.services = ['Verify'];
    // Refused: outside the officer's area, below the agency's level, not an officer, the bootstrap used twice.
    expect(await refusal(registry.submitRequest(saigon, 'hn-director', { requestId: 'cr-saigon' }))).toBe('NOT_COMPETENT');
    expect(journal.last()).toMatchObject({
      action: 'submit-request',
      actor: { officer: 'hn-director' },
      decision: 'refused',
      reason: 'NOT_COMPETENT',
    });
    expect(
      await refusal(
        registry.recordAssessment(
          {
            systemId: 'vietbank-ekyc',
            systemVersion: '4.2.0',
            level: 3,
            assessedAt: '2026-03-12',
            kind: 'periodic',
            findings: '-',
            assessor: 'A05',
          },
          'hn-director',
        ),
      ),
    ).toBe('NOT_COMPETENT');
    expect(await refusal(registry.confirmEidPlatform('vietbank-ekyc', 'hn-director', 'CV-1'))).toBe('NOT_COMPETENT');
    expect(await refusal(registry.addOfficer({ _id: 'x', name: 'X', level: 'agency-head' }, 'hn-director'))).toBe('NOT_COMPETENT');
    expect(await refusal(registry.addOfficer({ _id: 'x', name: 'X', level: 'agency-head' }, new CaKeyHolder('root')))).toBe(
      'NOT_COMPETENT',
    );
    expect(await refusal(registry.revokeCertificates({ system: 'vietbank-ekyc' }, 'hn-director', 'x'))).toBe('NOT_COMPETENT');
    expect(await refusal(registry.listRequests('nobody'))).toBe('NOT_COMPETENT');
    expect(await refusal(registry.usageReport('cr-vietbank', '2026-03-15', '2026-03-17', 'hcm-director'))).toBe('NOT_COMPETENT');
    expect(journal.last()).toMatchObject({
      action: 'usage-report',
      actor: { officer: 'hcm-director' },
      decision: 'refused',
      reason: 'NOT_COMPETENT',
    });
    expect(await refusal(registry.showConsent('cr-vietbank', citizen, 'hcm-director'))).toBe('NOT_COMPETENT');
    expect(await registry.showConsent('cr-vietbank', citizen, 'hn-director')).toMatchObject({ required: true, granted: false });
    expect(journal.last()).toMatchObject({
      action: 'show-consent',
      actor: { officer: 'hn-director' },
      citizens: [citizen],
      decision: 'done',
    });

    // Allowed: the officer of the area files it, the provincial director decides it (R17 5.2), each sees their own area's requests.
    await registry.submitRequest(saigon, 'hcm-director', { requestId: 'cr-saigon' });
    expect(await refusal(registry.reviewRequest('cr-saigon', { officerId: 'c06-head', decision: 'approve' }))).toBe('NOT_COMPETENT');
    expect((await registry.reviewRequest('cr-saigon', { officerId: 'hcm-director', decision: 'approve' })).status).toBe('approved');
    expect((await registry.listRequests('hcm-director')).map((request) => request._id)).toEqual(['cr-saigon']);
    expect((await registry.listRequests('hn-director')).map((request) => request._id)).not.toContain('cr-saigon');
    expect((await registry.listRequests('c06-head')).map((request) => request._id)).toContain('cr-saigon');
    expect(journal.last()).toMatchObject({ action: 'list-requests', actor: { officer: 'c06-head' }, decision: 'done' });
  });

  it('R35: a registry change is journaled before it takes effect: when the journal cannot be written, nothing changes', async () => {
    const broken: JournalWriter = {
      append: async () => {
        throw new Error('the journal store is down');
      },
    };
    const failing = await Registry.open(db, broken, { now: () => clock });
    await expect(failing.suspendAgreement('cr-saigon', 'hcm-director', 'audit')).rejects.toThrow('the journal store is down');
    await expect(
      failing.addOfficer(
        { _id: 'ghost', name: 'Ghost', level: 'commune-police', locality: { province: '01', district: '001', commune: '00001' } },
        'c06-head',
      ),
    ).rejects.toThrow('the journal store is down');
    expect((await registry.getAgreement('cr-saigon')).status).toBe('approved');
    expect((await registry.listOfficers()).map((officer) => officer._id)).not.toContain('ghost');
    // With the journal back, the same change takes effect.
    expect((await registry.suspendAgreement('cr-saigon', 'hcm-director', 'audit')).status).toBe('suspended');
  });

  it('R31: the e-ID exemption holds only once the agency head confirms it, never because the request says so', async () => {
    const stated = exampleRequest();
    stated.organisation = { ...stated.organisation, id: 'eid-bank' };
    stated.system = { ...stated.system, id: 'eid-bank-app', connectedViaEidPlatform: true };
    await registry.submitRequest(stated, 'c06-head', { requestId: 'cr-eid' });
    await registry.reviewRequest('cr-eid', { officerId: 'c06-head', decision: 'approve' });
    const agreement = await registry.getAgreement('cr-eid');
    expect(await registry.assessmentStatus(agreement)).toEqual({ ok: false, reason: 'ASSESSMENT_MISSING' }); // self-declared: nothing exempt
    expect(await refusal(registry.confirmEidPlatform('eid-bank-app', 'c06-head', ' '))).toBe('REASON_REQUIRED');
    await registry.confirmEidPlatform('eid-bank-app', 'c06-head', 'C06 letter 123/2026');
    expect(journal.last()).toMatchObject({
      action: 'confirm-eid',
      actor: { officer: 'c06-head', system: 'eid-bank-app' },
      decision: 'done',
    });
    expect(await registry.assessmentStatus(agreement)).toEqual({ ok: true, exempt: true });
  });

  it('R10, R18: only a public-service portal’s request is approved with SelfService; a bank’s is refused at submission, and at approval if recorded before the channel rule', async () => {
    const bank = exampleRequest();
    bank.organisation = { ...bank.organisation, id: 'selfservice-bank' };
    bank.system = { ...bank.system, id: 'selfservice-bank-app' };
    bank.services = ['SelfService'];
    bank.purposes = ['CITIZEN_SELF_SERVICE'];
    bank.channel = 'public-service-portal';
    expect(await refusal(registry.submitRequest(bank, 'c06-head', { requestId: 'cr-bank-self' }))).toBe('CHANNEL_NOT_ALLOWED');
    expect(journal.last()).toMatchObject({
      action: 'submit-request',
      decision: 'refused',
      detail: expect.stringContaining('SelfService is held only by a PUBLIC_SERVICE_PORTAL, not a CREDIT_INSTITUTION'),
    });

    const portal = {
      ...bank,
      organisation: { ...bank.organisation, id: 'vneid', category: 'PUBLIC_SERVICE_PORTAL' },
      system: { ...bank.system, id: 'vneid-app' },
    };
    await registry.submitRequest(portal, 'c06-head', { requestId: 'cr-portal-self' });
    // A bank's SelfService request recorded before requests named their channel is still not approved.
    const requests = db.collection<{ _id: string } & Record<string, any>>('connection_requests');
    const recorded = (await requests.findOne({ _id: 'cr-portal-self' }))!;
    const { channel: _channel, ...legacyRequest } = recorded.request;
    await requests.insertOne({
      ...recorded,
      _id: 'cr-bank-self',
      request: { ...legacyRequest, organisation: bank.organisation, system: bank.system },
    });
    expect(await refusal(registry.reviewRequest('cr-bank-self', { officerId: 'c06-head', decision: 'approve' }))).toBe('INVALID');
    expect(journal.last()).toMatchObject({
      action: 'review-request',
      decision: 'refused',
      detail: expect.stringContaining('only a PUBLIC_SERVICE_PORTAL'),
    });

    expect((await registry.reviewRequest('cr-portal-self', { officerId: 'c06-head', decision: 'approve' })).status).toBe('approved');
  });

  it('R11: when two officers decide the same request at once, exactly one decision stands', async () => {
    await registry.submitRequest(exampleRequest(), 'c06-head', { requestId: 'cr-race' }).catch((error: unknown) => error);
    // The system already belongs to vietbank, so the same organisation may submit again.
    const results = await Promise.allSettled([
      registry.reviewRequest('cr-race', { officerId: 'c06-head', decision: 'approve' }),
      registry.reviewRequest('cr-race', { officerId: 'c06-head', decision: 'refuse', reason: 'Duplicate of cr-vietbank.' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const record = await registry.getRequest('cr-race');
    expect(record.history).toHaveLength(2);
    const winner = results.find((result) => result.status === 'fulfilled');
    expect(winner?.status === 'fulfilled' && winner.value.status).toBe(record.status);
  });

  it('R16, R24: the catalogue is versioned and overdue a year after its last review, on /metrics too; the agency head records a review, journaled, and nobody else may', async () => {
    const metrics = new MetricsRegistry();
    registerCatalogueMetrics(metrics, registry);
    const gauge = async (name: string) => (await metrics.getSingleMetric(name)!.get()).values[0]?.value;

    clock = vn('2026-12-30T09:00:00');
    const fresh = await registry.catalogueStatus();
    expect(fresh).toMatchObject({ version: registry.serviceCatalogue().version, lastReview: null, overdue: false });
    expect(catalogueWarning(fresh)).toBeNull();
    expect(await gauge('dancu_catalogue_review_overdue')).toBe(0);

    clock = vn('2027-01-02T09:00:00'); // the catalogue of 2026-01-01 was neither updated nor reviewed since
    const stale = await registry.catalogueStatus();
    expect(stale.overdue).toBe(true);
    expect(catalogueWarning(stale)).toContain('more than a year ago (R24');
    expect(await gauge('dancu_catalogue_review_overdue')).toBe(1);

    expect(await refusal(registry.reviewCatalogue('Looked at it.', 'hn-director'))).toBe('NOT_COMPETENT');
    expect(journal.last()).toMatchObject({
      action: 'review-catalogue',
      actor: { officer: 'hn-director' },
      decision: 'refused',
      reason: 'NOT_COMPETENT',
    });
    expect(await refusal(registry.reviewCatalogue(' ', 'c06-head'))).toBe('REASON_REQUIRED');
    const reviewed = await registry.reviewCatalogue('No service added or withdrawn for 2027.', 'c06-head');
    expect(reviewed).toMatchObject({
      overdue: false,
      lastReviewedAt: vn('2027-01-02T09:00:00'),
      reviewDueAt: vn('2028-01-02T09:00:00'),
      lastReview: { officer: 'c06-head', version: reviewed.version },
    });
    expect(journal.last()).toMatchObject({
      action: 'review-catalogue',
      actor: { officer: 'c06-head' },
      decision: 'done',
      detail: expect.stringContaining('No service added'),
    });
    expect(await gauge('dancu_catalogue_review_overdue')).toBe(0);
    expect(await gauge('dancu_catalogue_review_due_timestamp_seconds')).toBe(vn('2028-01-02T09:00:00').getTime() / 1000);
  });
});
