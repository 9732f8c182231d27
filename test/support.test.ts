// R36: incidents and support requests over gRPC, answered and closed by operators (gRPC and CLI),
// every change journaled, each organisation seeing only its own tickets.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../hub/admin/admin-server.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { clientCredentials } from '../hub/pki/credentials.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { SupportClient } from '../proto/gen/dancu/support/v1/support.ts';
import { type Consumer, call, type ExchangeFixture, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN } from './harness.ts';

const run = promisify(execFile);
const GRANTS = [{ field: 'fullName', modes: ['disclose'] }];

describe('incidents and support requests (R36)', () => {
  let fx: ExchangeFixture;
  let province: Consumer;
  let bank: Consumer;
  let head: SupportClient;

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 2 });
    province = await fx.register({
      organisation: 'hue-dpc',
      category: 'CENTRAL_STATE_BODY',
      system: 'hue-onestop',
      services: ['Lookup'],
      purposes: ['ADMINISTRATIVE_PROCEDURE'],
      grants: GRANTS,
    });
    bank = await fx.register({
      organisation: 'bank-s',
      category: 'CREDIT_INSTITUTION',
      system: 'bank-s-ekyc',
      services: ['Lookup'],
      purposes: ['EKYC_ACCOUNT_OPENING'],
      grants: GRANTS,
    });
    head = new SupportClient(fx.address, await fx.operatorCredentials('c06-head'));
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const clientOf = (consumer: Consumer) => new SupportClient(fx.address, consumer.credentials);

  it('R36: an organisation opens an incident over gRPC; an operator answers and closes it, the organisation reads the answer; each step is journaled', async () => {
    const hue = clientOf(province);
    const opened = await call(hue, 'openTicket', {
      kind: 'incident',
      severity: 'high',
      subject: 'Lookup times out since 08:00',
      description: 'Every Lookup under our agreement times out; trace 4bf92f3577b34da6a3ce929d0e0e4736.',
      agreementId: province.agreementId,
    });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const ticket = opened.response;
    expect(ticket).toMatchObject({
      kind: 'incident',
      severity: 'high',
      status: 'open',
      organisation: 'hue-dpc',
      system: 'hue-onestop',
      agreementId: province.agreementId,
    });
    expect(ticket.id).toMatch(/^inc-[0-9a-f]{8}$/);

    const listed = await call(head, 'listTickets', { status: 'open' });
    expect(listed.ok && listed.response.tickets.map((t) => t.id)).toContain(ticket.id);
    const answered = await call(head, 'replyToTicket', {
      ticketId: ticket.id,
      message: 'A store node was restarted at 08:02; please retry.',
    });
    expect(answered).toMatchObject({ ok: true, response: { status: 'answered' } });

    const read = await call(hue, 'getTicket', { ticketId: ticket.id });
    expect(read.ok && read.response.messages.map((m) => [m.from, m.author])).toEqual([
      ['organisation', 'hue-onestop'],
      ['operator', 'c06-head'],
    ]);
    expect(await call(hue, 'replyToTicket', { ticketId: ticket.id, message: 'Works again, thank you.' })).toMatchObject({
      ok: true,
      response: { status: 'open' },
    });

    expect(await call(head, 'closeTicket', { ticketId: ticket.id, resolution: ' ' })).toMatchObject({
      ok: false,
      code: status.INVALID_ARGUMENT,
      reason: 'REASON_REQUIRED',
    });
    expect(
      await call(head, 'closeTicket', { ticketId: ticket.id, resolution: 'Store node restarted; confirmed fixed by the organisation.' }),
    ).toMatchObject({ ok: true, response: { status: 'closed' } });
    expect(await call(hue, 'replyToTicket', { ticketId: ticket.id, message: 'One more thing.' })).toMatchObject({
      ok: false,
      code: status.FAILED_PRECONDITION,
      reason: 'INVALID_TRANSITION',
    });
    expect(await call(hue, 'getTicket', { ticketId: ticket.id })).toMatchObject({
      ok: true,
      response: { status: 'closed', resolution: expect.stringContaining('confirmed fixed') },
    });

    const journaled = (await queryJournal(fx.store.db, { act: 'support', limit: 50 })).reverse();
    expect(journaled.filter((entry) => entry.detail?.startsWith(ticket.id)).map((entry) => [entry.action, entry.decision])).toEqual([
      ['open-ticket', 'done'],
      ['answer-ticket', 'done'],
      ['reply-ticket', 'done'],
      ['close-ticket', 'refused'],
      ['close-ticket', 'done'],
      ['reply-ticket', 'refused'],
    ]);
    expect(journaled.find((entry) => entry.action === 'open-ticket' && entry.detail?.startsWith(ticket.id))).toMatchObject({
      actor: { organisation: 'hue-dpc', system: 'hue-onestop' },
      agreement: province.agreementId,
    });
    // The ticket's text never reaches the journal.
    expect(JSON.stringify(journaled)).not.toContain('times out');
  });

  it("R36, R2: an organisation sees only its own tickets; another organisation's is NOT_FOUND; an agreement not its own, a bad request, a system closing, an operator opening or an unrecorded operator certificate are refused", async () => {
    const hue = clientOf(province);
    const mine = await call(clientOf(bank), 'openTicket', {
      kind: 'support',
      severity: '',
      subject: 'How do we test Verify before approval?',
      description: 'We would like to test against synthetic citizens.',
      agreementId: '',
    });
    expect(mine).toMatchObject({ ok: true, response: { kind: 'support', severity: 'normal', organisation: 'bank-s' } });
    if (!mine.ok) return;
    expect(await call(hue, 'getTicket', { ticketId: mine.response.id })).toMatchObject({
      ok: false,
      code: status.NOT_FOUND,
      reason: 'RECORD_NOT_FOUND',
    });
    expect(await call(hue, 'replyToTicket', { ticketId: mine.response.id, message: 'Hello' })).toMatchObject({
      ok: false,
      code: status.NOT_FOUND,
    });
    const hueList = await call(hue, 'listTickets', { status: '' });
    expect(hueList.ok && hueList.response.tickets.every((t) => t.organisation === 'hue-dpc')).toBe(true);
    const bankList = await call(clientOf(bank), 'listTickets', { status: '' });
    expect(bankList.ok && bankList.response.tickets.map((t) => t.id)).toEqual([mine.response.id]);

    expect(
      await call(clientOf(bank), 'openTicket', {
        kind: 'incident',
        severity: 'high',
        subject: 'x',
        description: 'y',
        agreementId: province.agreementId,
      }),
    ).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
    expect(
      await call(clientOf(bank), 'openTicket', { kind: 'complaint', severity: 'urgent', subject: '', description: 'y', agreementId: '' }),
    ).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, details: expect.stringContaining('kind must be incident or support') });
    expect(await call(clientOf(bank), 'closeTicket', { ticketId: mine.response.id, resolution: 'Closing my own.' })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'NOT_AN_OPERATOR',
    });
    expect(
      await call(head, 'openTicket', { kind: 'support', severity: '', subject: 'x', description: 'y', agreementId: '' }),
    ).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    // An operator certificate the registry never recorded for a registered officer answers nothing (R17).
    const issued = await issueCertificate(fx.pkiDir, {
      kind: 'operator',
      id: 'ghost',
      organisation: 'population-data-agency',
      validDays: 1,
    });
    const ghost = new SupportClient(
      fx.address,
      clientCredentials({
        caPem: await readFile(pkiFiles(fx.pkiDir).caCertificate, 'utf8'),
        certPem: issued.certificatePem,
        keyPem: issued.privateKeyPem,
      }),
    );
    expect(await call(ghost, 'listTickets', { status: '' })).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'CERTIFICATE_NOT_REGISTERED',
    });
    expect(await call(ghost, 'closeTicket', { ticketId: mine.response.id, resolution: 'Closing.' })).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'CERTIFICATE_NOT_REGISTERED',
    });
    const refused = await queryJournal(fx.store.db, { act: 'support', limit: 50 });
    expect(
      refused.some((entry) => entry.action === 'Support.CloseTicket' && entry.decision === 'refused' && entry.reason === 'NOT_AN_OPERATOR'),
    ).toBe(true);
    expect(
      refused.some(
        (entry) => entry.action === 'Support.ListTickets' && entry.decision === 'refused' && entry.reason === 'CERTIFICATE_NOT_REGISTERED',
      ),
    ).toBe(true);
  });

  it('R36, R35: operators list, read, answer and close tickets with `dancu support`, as registered officers proven by their certificate only, journaled', async () => {
    const opened = await call(clientOf(bank), 'openTicket', {
      kind: 'incident',
      severity: 'critical',
      subject: 'Certificate rejected',
      description: 'Our new certificate is refused as CERTIFICATE_NOT_REGISTERED.',
      agreementId: bank.agreementId,
    });
    if (!opened.ok) throw new Error(opened.details);
    const id = opened.response.id;
    const dancu = (...args: string[]) =>
      run(process.execPath, [DANCU_BIN, ...args], { env: cliEnv({ DANCU_DB: fx.database, DANCU_PKI_DIR: fx.pkiDir }) });
    await dancu('pki', 'issue', 'c06-head', '--operator', '--keep-previous'); // into <pki>/issued, recorded; the gRPC client's certificate stays valid

    // Refused: no officer named, or one without an operator certificate (nothing reaches the desk).
    await expect(dancu('support', 'list', '--status', 'open')).rejects.toMatchObject({
      stderr: expect.stringContaining('this command acts as an officer'),
    });
    await expect(dancu('support', 'answer', id, '--officer', 'nobody', '--message', 'Hi')).rejects.toMatchObject({
      stderr: expect.stringContaining('cannot read the operator certificate'),
    });
    const list = await dancu('support', 'list', '--status', 'open', '--officer', 'c06-head');
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+incident\\s+critical\\s+open\\s+bank-s\\s+Certificate rejected`));
    expect(
      (
        await dancu(
          'support',
          'answer',
          id,
          '--officer',
          'c06-head',
          '--message',
          'Issue it again with dancu pki issue; the old one was revoked.',
        )
      ).stdout,
    ).toContain(`${id} incident (critical) — answered`);
    expect((await dancu('support', 'close', id, '--officer', 'c06-head', '--resolution', 'New certificate issued.')).stdout).toContain(
      'closed',
    );
    expect((await dancu('support', 'show', id, '--officer', 'c06-head')).stdout).toContain('operator c06-head:\nIssue it again');
    const read = await call(clientOf(bank), 'getTicket', { ticketId: id });
    expect(read).toMatchObject({ ok: true, response: { status: 'closed', resolution: 'New certificate issued.' } });
    const journaled = await queryJournal(fx.store.db, { act: 'support', limit: 50 });
    expect(
      journaled
        .filter((entry) => entry.detail?.includes(id))
        .map((entry) => [entry.action, entry.decision, entry.actor.officer ?? entry.actor.system]),
    ).toEqual([
      ['close-ticket', 'done', 'c06-head'],
      ['answer-ticket', 'done', 'c06-head'],
      ['open-ticket', 'done', 'bank-s-ekyc'],
    ]);
  });

  it('R36: the dashboard lists the open tickets — who, what, waiting for whom — without their text', async () => {
    const opened = await call(clientOf(province), 'openTicket', {
      kind: 'support',
      severity: 'low',
      subject: 'Where is the BatchLookup guide?',
      description: 'Secret detail 8812.',
      agreementId: '',
    });
    if (!opened.ok) throw new Error(opened.details);
    const ingest = {
      stats: { bySource: new Map() },
      lag: async () => [],
      readDeadLetters: async () => ({ total: 0, unreadable: 0, reasons: [], readAt: new Date().toISOString() }),
      db: fx.store.db,
    };
    const admin = await AdminServer.start({
      registry: new MetricsRegistry(),
      readiness: async () => ({ ready: true, checks: {} }),
      dashboard: { ingest: ingest as never },
      port: 0,
    });
    try {
      const answer = await fetch(`${admin.url}/api/support`);
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { tickets: { id: string; organisation: string; awaiting: string }[] };
      expect(body.tickets.find((ticket) => ticket.id === opened.response.id)).toMatchObject({
        organisation: 'hue-dpc',
        kind: 'support',
        severity: 'low',
        subject: 'Where is the BatchLookup guide?',
        awaiting: 'operator',
      });
      expect(JSON.stringify(body)).not.toContain('Secret detail');
      expect(body.tickets.every((ticket) => ticket.id !== undefined)).toBe(true);
      const page = await (await fetch(`${admin.url}/`)).text();
      expect(page).toContain('id="support-tickets"');
      expect((await fetch(`${admin.url}/support.js`)).status).toBe(200);
    } finally {
      await admin.close();
    }
  });
});
