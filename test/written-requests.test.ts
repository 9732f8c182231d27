// The written-request procedure (R19, R11, R17) on the real FerretDB: simulated citizens ingested
// by the hub's own apply step, the officers of the registry, the real journal.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, MongoClient } from 'mongodb';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { Journal } from '../hub/journal/journal.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { Registry } from '../hub/registry/registry.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { registerOverdueGauge } from '../hub/written-requests/overdue-gauge.ts';
import { WrittenRequests } from '../hub/written-requests/written-requests.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN, officerCertificates, temporaryPki, uniqueName } from './harness.ts';

const vn = (local: string) => new Date(`${local}+07:00`);

async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return (error as RegistryError).code;
}

function pdfText(pdf: Buffer, dir: string, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC');
}

describe('written requests on the real store', () => {
  const database = uniqueName('dancu_written');
  const dir = mkdtempSync(join(tmpdir(), 'dancu-written-'));
  let client: MongoClient;
  let db: Db;
  let store: PopulationStore;
  let journal: Journal;
  let written: WrittenRequests;
  let clock = vn('2026-03-10T09:00:00'); // a Tuesday
  let citizen: CitizenDocument;
  let other: CitizenDocument;
  const key = (document: CitizenDocument) => ({
    personalId: document._id,
    fullName: String(document.fields.fullName?.value),
    dateOfBirth: String(document.fields.dateOfBirth?.value),
  });
  const template = () => ({
    requester: {
      name: 'Văn phòng công chứng Hoàn Kiếm',
      category: 'NOTARY',
      locality: { province: '01' },
      address: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội',
    },
    purpose: 'Xác minh nhân thân khi công chứng hợp đồng mua bán nhà',
    servicesWanted: ['fullName', 'dateOfBirth', 'permanentAddress', 'bloodType'],
    citizens: [
      { ...key(citizen), consentReference: 'VNeID-7731' },
      { ...key(other), fullName: 'Người Không Có', consentReference: 'VNeID-7732' },
    ],
  });

  beforeAll(async () => {
    const endpoints = testEndpoints();
    client = await MongoClient.connect(endpoints.mongodbUri);
    db = client.db(database);
    store = await PopulationStore.open({ uri: endpoints.mongodbUri, database });
    await applyEvents(simulateEvents({ seed: 515, citizens: 12 }), store);
    const documents = [
      ...(await store.readCitizens((await store.citizens.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id))).values(),
    ];
    const named = documents.filter(
      (d) =>
        typeof d.fields.fullName?.value === 'string' && typeof d.fields.dateOfBirth?.value === 'string' && d.fields.permanentAddress?.value,
    );
    [citizen, other] = named as [CitizenDocument, CitizenDocument];
    journal = await Journal.open(db);
    const registry = await Registry.open(db, journal);
    await registry.addOfficer({ _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' }, new CaKeyHolder('test'));
    await registry.addOfficer(
      { _id: 'hn-director', name: 'Giám đốc Công an TP Hà Nội', level: 'provincial-police', locality: { province: '01' } },
      'c06-head',
    );
    written = new WrittenRequests(db, store, journal, { now: () => clock });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await journal?.close();
    await store?.close();
    await db?.dropDatabase();
    await client?.close();
  });

  it('R19, R11: a request received on the template is recorded with its decision deadline; a malformed one is refused and journaled', async () => {
    const registered = await written.register('VB-001', template(), 'hn-director');
    expect(registered).toMatchObject({
      _id: 'VB-001',
      status: 'received',
      decisionDeadline: vn('2026-03-13T23:59:59.999'),
      overdue: false,
    });
    // Registering the same letter again is a replay.
    expect((await written.register('VB-001', template(), 'hn-director')).status).toBe('received');

    const noConsent = template();
    delete (noConsent.citizens[0] as { consentReference?: string }).consentReference;
    expect(await refusal(written.register('VB-002', noConsent, 'hn-director'))).toBe('INVALID');
    const entries = await queryJournal(db, { citizen: citizen._id, act: 'written-request' });
    expect(entries[0]).toMatchObject({
      action: 'register',
      caseReference: 'VB-002',
      decision: 'refused',
      reason: 'INVALID',
      detail: expect.stringContaining("needs the citizen's consent (R12)"),
    });
    expect(entries[1]).toMatchObject({
      action: 'register',
      caseReference: 'VB-001',
      decision: 'done',
      actor: { officer: 'hn-director' },
      fields: ['fullName', 'dateOfBirth', 'permanentAddress', 'bloodType'],
    });
  });

  it('R11, R19: a request undecided past its third working day is flagged overdue, in the list and on /metrics; one chosen is overdue past the agreed delivery', async () => {
    clock = vn('2026-03-14T08:00:00');
    expect(await written.list({ overdue: true })).toMatchObject([{ _id: 'VB-001', overdue: true }]);
    expect(await written.countOverdue()).toBe(1);
    // Operators see it on the hub's /metrics.
    const metrics = new MetricsRegistry();
    registerOverdueGauge(metrics, written, () => undefined);
    expect(await metrics.getSingleMetricAsString('dancu_written_requests_overdue')).toMatch(/^dancu_written_requests_overdue 1$/m);
    clock = vn('2026-03-10T10:00:00');
  });

  it('R17, R19: only the competent officer records the chosen services, never more than were wanted, with the agreed delivery time', async () => {
    expect(await refusal(written.chooseServices('VB-001', 'c06-head', ['fullName'], vn('2026-03-12T17:00:00')))).toBe('NOT_COMPETENT');
    expect(await refusal(written.chooseServices('VB-001', 'hn-director', ['fullName', 'healthInsurance'], vn('2026-03-12T17:00:00')))).toBe(
      'INVALID',
    );
    expect(await refusal(written.deliver('VB-001', 'hn-director'))).toBe('INVALID_TRANSITION');
    const chosen = await written.chooseServices(
      'VB-001',
      'hn-director',
      ['fullName', 'dateOfBirth', 'permanentAddress'],
      vn('2026-03-12T17:00:00'),
    );
    expect(chosen).toMatchObject({
      status: 'guided',
      chosenServices: ['fullName', 'dateOfBirth', 'permanentAddress'],
      deliverBy: vn('2026-03-12T17:00:00'),
      overdue: false,
    });
    clock = vn('2026-03-12T17:30:00');
    expect((await written.get('VB-001')).overdue).toBe(true);
  });

  it('R19, R39: delivery is a Form 01 notice of exactly the chosen fields from the store; a citizen whose key does not match is "not found"; journaled first', async () => {
    const { request, pdf } = await written.deliver('VB-001', 'hn-director');
    expect(request).toMatchObject({ status: 'delivered', overdue: false, noticeSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const text = pdfText(pdf, dir, 'VB-001');
    expect(text).toContain('Mẫu số 01');
    expect(text).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName?.value)}`);
    expect(text).toContain(`Số định danh cá nhân: ${citizen._id}`);
    const province = (citizen.fields.permanentAddress!.value as { province: string }).province;
    expect(text).toContain(province);
    expect(text).not.toContain('Nhóm máu'); // wanted, not chosen
    expect(text).toContain(`Số định danh cá nhân: ${other._id}`);
    expect(text).toContain('Không có công dân nào khớp');
    expect(text).not.toContain(String(other.fields.fullName?.value));

    const [entry] = await queryJournal(db, { citizen: citizen._id, act: 'written-request' });
    expect(entry).toMatchObject({
      action: 'deliver',
      decision: 'done',
      citizens: [citizen._id, other._id],
      fields: ['fullName', 'dateOfBirth', 'permanentAddress'],
      detail: expect.stringContaining(request.noticeSha256!),
    });
    expect(await refusal(written.refuse('VB-001', 'hn-director', 'quá hạn'))).toBe('INVALID_TRANSITION');
  });

  it('R19, R11: a refusal needs a written reason and is answered by a letter carrying it', async () => {
    const own = {
      requester: {
        name: String(citizen.fields.fullName?.value),
        category: 'INDIVIDUAL',
        locality: { province: '01', district: '001', commune: '00001' },
        address: 'Hà Nội',
        personalId: citizen._id,
      },
      purpose: 'Bổ sung hồ sơ',
      servicesWanted: ['fullName'],
      citizens: [key(citizen)],
    };
    // An individual's own information needs no consent reference.
    await written.register('VB-003', own, 'hn-director');
    await written.register('VB-004', { ...template(), letterReference: '12/CV-HK' }, 'hn-director');
    expect(await refusal(written.refuse('VB-004', 'hn-director', '   '))).toBe('REASON_REQUIRED');
    const { request, pdf } = await written.refuse('VB-004', 'hn-director', 'Văn bản đề nghị không nêu số hợp đồng cần công chứng.');
    expect(request).toMatchObject({
      status: 'refused',
      history: [{ status: 'received' }, { status: 'refused', reason: 'Văn bản đề nghị không nêu số hợp đồng cần công chứng.' }],
    });
    expect(pdfText(pdf, dir, 'VB-004')).toContain('Văn bản đề nghị không nêu số hợp đồng cần công chứng.');
    expect((await written.list({ status: 'refused' })).map((r) => r._id)).toEqual(['VB-004']);
  });

  it('R19: `dancu registry written-request` registers, chooses, delivers the notice to a file and lists overdue requests', async () => {
    // The CLI acts as the officer its operator certificate proves.
    const pki = await temporaryPki('dancu-written-pki');
    await officerCertificates(database, pki.dir, ['hn-director']);
    const env = cliEnv({ DANCU_DB: database, DANCU_PKI_DIR: pki.dir });
    const file = join(dir, 'letter.json');
    writeFileSync(file, JSON.stringify({ ...template(), citizens: [{ ...key(citizen), consentReference: 'VNeID-9' }] }));
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [DANCU_BIN, 'registry', 'written-request', ...args], { env, encoding: 'utf8' });
    expect(run('register', 'VB-CLI', '--file', file, '--officer', 'hn-director')).toMatch(
      /written request VB-CLI received; decision due by \d{4}-\d{2}-\d{2}/,
    );
    expect(run('list', '--status', 'received', '--officer', 'hn-director')).toContain('VB-CLI');
    expect(
      run(
        'choose',
        'VB-CLI',
        '--officer',
        'hn-director',
        '--services',
        'fullName,dateOfBirth',
        '--deliver-by',
        '2099-01-01T17:00:00+07:00',
      ),
    ).toContain('guided');
    const out = join(dir, 'VB-CLI.pdf');
    expect(run('deliver', 'VB-CLI', '--officer', 'hn-director', '--out', out)).toContain(out);
    expect(pdfText(readFileSync(out), dir, 'VB-CLI-copy')).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName?.value)}`);
    let failed: { status: number; stderr: string } | undefined;
    try {
      run('deliver', 'VB-CLI', '--officer', 'hn-director', '--out', out);
    } catch (error) {
      failed = error as { status: number; stderr: string };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toContain('INVALID_TRANSITION');
    await pki.remove();
  });
});
