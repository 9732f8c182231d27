// Form 01 over gRPC: the WrittenRequests service for officers and SelfService's GetMyRecordNotice
// for a citizen portal, on the hub API with mutual TLS (the exchange sandbox).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { WrittenRequestsClient } from '../proto/gen/dancu/registry/v1/written_requests.ts';
import { call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'dancu-written-grpc-'));
function pdfText(pdf: Buffer, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC');
}

describe('Form 01 over gRPC', () => {
  let fx: ExchangeFixture;
  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 12 });
  });
  afterAll(async () => {
    await fx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('R19, R17: an officer registers, chooses and delivers a written request over gRPC and gets the Form 01 PDF; a system certificate is turned away', async () => {
    const officer = new WrittenRequestsClient(fx.address, await fx.operatorCredentials('hn-director'));
    const citizen = fx.citizens[0]!;
    const registered = await call(officer, 'registerWrittenRequest', {
      id: 'VB-RPC-1',
      requester: {
        name: 'Văn phòng công chứng Ba Đình',
        category: 'NOTARY',
        locality: { province: '01', district: '', commune: '' },
        address: 'Ba Đình, Hà Nội',
        contact: '',
        personalId: '',
      },
      purpose: 'Công chứng hợp đồng',
      servicesWanted: ['fullName', 'dateOfBirth'],
      citizens: [{ citizen: keyOf(citizen), consentReference: 'VNeID-55' }],
      letterReference: '',
    });
    expect(registered).toMatchObject({ ok: true, response: { id: 'VB-RPC-1', status: 'received', overdue: false } });
    expect(await call(officer, 'deliverWrittenRequest', { id: 'VB-RPC-1' })).toMatchObject({
      ok: false,
      code: status.FAILED_PRECONDITION,
      reason: 'INVALID_TRANSITION',
    });
    const chosen = await call(officer, 'chooseWrittenRequestServices', {
      id: 'VB-RPC-1',
      services: ['fullName'],
      deliverBy: new Date(Date.now() + 86_400_000),
    });
    expect(chosen).toMatchObject({ ok: true, response: { status: 'guided', chosenServices: ['fullName'] } });
    const delivered = await call(officer, 'deliverWrittenRequest', { id: 'VB-RPC-1' });
    if (!delivered.ok) throw new Error(delivered.details);
    expect(delivered.response.request).toMatchObject({ status: 'delivered', noticeSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const text = pdfText(delivered.response.pdf, 'rpc');
    expect(text).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName!.value)}`);
    expect(text).not.toContain('Ngày, tháng, năm sinh:');

    const system = await fx.register({
      organisation: 'bank-w',
      category: 'CREDIT_INSTITUTION',
      system: 'bank-w',
      services: ['Lookup'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    const asSystem = new WrittenRequestsClient(fx.address, system.credentials);
    expect(await call(asSystem, 'listWrittenRequests', { status: '', overdueOnly: false })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'NOT_AN_OPERATOR',
    });
    expect(await call(officer, 'listWrittenRequests', { status: 'delivered', overdueOnly: false })).toMatchObject({
      ok: true,
      response: { requests: [{ id: 'VB-RPC-1' }] },
    });
  });

  it("R39, R8: a citizen portal gets the citizen's own record as a Form 01 notice, with the fields its agreement discloses, journaled; a wrong key is NOT_FOUND", async () => {
    const portal = await fx.register({
      organisation: 'vneid-f',
      category: 'PUBLIC_SERVICE_PORTAL',
      system: 'vneid-f',
      services: ['SelfService'],
      purposes: ['CITIZEN_SELF_SERVICE'],
      grants: [
        { field: 'fullName', modes: ['disclose'] },
        { field: 'dateOfBirth', modes: ['disclose'] },
        { field: 'sex', modes: ['disclose'] },
      ],
    });
    const citizen = fx.citizens[1]!;
    const context = {
      agreementId: portal.agreementId,
      sessionReference: 'eid-session-881',
      eidAssertion: await fx.eid.sign({ personalId: citizen._id }),
    };
    const notice = await call(portal.selfService, 'getMyRecordNotice', { context, citizen: keyOf(citizen) });
    if (!notice.ok) throw new Error(notice.details);
    const text = pdfText(notice.response.pdf, 'self');
    expect(text).toContain('Mẫu số 01');
    expect(text).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName!.value)}`);
    expect(text).toContain('Giới tính: ');
    expect(text).not.toContain('Nơi thường trú');
    const [entry] = await queryJournal(fx.store.db, { citizen: citizen._id, act: 'self-service', limit: 1 });
    expect(entry).toMatchObject({
      _id: Number(notice.response.journalSequence),
      action: 'GetMyRecordNotice',
      decision: 'allowed',
      caseReference: 'eid-session-881',
      fields: ['fullName', 'dateOfBirth', 'sex'],
    });
    expect(
      await call(portal.selfService, 'getMyRecordNotice', { context, citizen: { ...keyOf(citizen), fullName: 'Người Lạ' } }),
    ).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'CITIZEN_NOT_FOUND' });
  });
});
