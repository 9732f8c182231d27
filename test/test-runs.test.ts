// R34: a requester approved for testing runs its system against a sandbox agreement, on synthetic
// citizens only, before its request is decided; every call is journaled as a test run.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { SANDBOX_SIMULATION } from '../hub/exchange/sandbox-citizens.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { ONWARD_SHARING_TERM } from '../hub/registry/onward-sharing.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN, waitFor } from './harness.ts';

const run = promisify(execFile);

const DAY_MS = 86_400_000;

/** A synthetic citizen of the sandbox with a name and a date of birth, as the simulator makes it. */
function syntheticCitizen(): { personalId: string; fullName: string; dateOfBirth: string } {
  const events = simulateEvents(SANDBOX_SIMULATION);
  const renamed = new Set(events.filter((event) => event.type === 'name-changed').map((event) => event.personalId));
  const birth = events.find((event) => event.type === 'birth-registered' && !renamed.has(event.personalId))!;
  const payload = birth.payload as { fullName: string; dateOfBirth: string };
  return { personalId: birth.personalId, fullName: payload.fullName, dateOfBirth: payload.dateOfBirth };
}

describe('test runs before approval (R34)', () => {
  let fx: ExchangeFixture;
  let requestId: string;

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 5 });
    const now = Date.now();
    const submitted = await fx.api.registry.submitRequest(
      {
        organisation: {
          id: 'vss-t',
          name: 'Vietnam Social Security (test)',
          category: 'CENTRAL_STATE_BODY',
          locality: { province: '01' },
          functionsAndTasks: 'Social insurance.',
        },
        system: { id: 'vss-t-portal', name: 'VSS portal', version: '0.9.0', database: 'insured', connectedViaEidPlatform: false },
        channel: 'population-db-connection',
        officerInCharge: { name: 'Phạm Thị D', title: 'IT lead', contact: 'd@vss.example' },
        purposes: ['SOCIAL_INSURANCE'],
        scope: 'Insured persons.',
        grants: [
          { field: 'fullName', modes: ['disclose', 'match'] },
          { field: 'dateOfBirth', modes: ['match'] },
        ],
        services: ['Lookup', 'Verify', 'WatchChanges'],
        technicalDocuments: [{ title: 'Design', uri: 'https://vss.example/design.pdf' }],
        validity: { from: new Date(now - DAY_MS).toISOString(), until: new Date(now + 300 * DAY_MS).toISOString() },
        quota: { ratePerSecond: 50, dailyLimit: 10_000 },
        acceptsOnwardSharingTerm: ONWARD_SHARING_TERM.id,
      },
      'c06-head',
    );
    requestId = submitted._id;
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R34, R17: approved for testing by its competent authority, an unassessed, undecided system reads synthetic citizens under its sandbox agreement, never a real one, and each call is journaled as a test run', async () => {
    const clients = await fx.systemClients('vss-t-portal', 'vss-t');
    const context = (agreementId: string) => ({ agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'test-001', officerId: 'tester' });
    const synthetic = syntheticCitizen();
    const sandboxId = `${requestId}.sandbox`;

    // Before the officer allows it, there is no sandbox agreement, and the request is no agreement.
    expect(await call(clients.exchange, 'lookup', { context: context(sandboxId), citizen: synthetic, fields: ['fullName'] })).toMatchObject(
      { ok: false, code: status.PERMISSION_DENIED, reason: 'AGREEMENT_UNKNOWN' },
    );
    // Through the CLI, as the officer each certificate proves: a central body's request is the agency head's to decide (R17).
    const dancu = (...args: string[]) =>
      run(process.execPath, [DANCU_BIN, ...args], { env: cliEnv({ DANCU_DB: fx.database, DANCU_PKI_DIR: fx.pkiDir }) });
    await dancu('pki', 'issue', 'hn-director', '--operator');
    await dancu('pki', 'issue', 'c06-head', '--operator', '--keep-previous');
    await expect(dancu('registry', 'approve-testing', requestId, '--officer', 'hn-director')).rejects.toMatchObject({
      stderr: expect.stringContaining('NOT_COMPETENT'),
    });
    expect((await dancu('registry', 'approve-testing', requestId, '--officer', 'c06-head')).stdout).toContain(
      `sandbox agreement ${sandboxId}: Lookup, Verify on synthetic citizens`,
    );
    const sandbox = await fx.api.registry.getAgreement(sandboxId);
    expect(sandbox).toMatchObject({
      id: sandboxId,
      sandbox: true,
      services: ['Lookup', 'Verify'],
      consentRequired: false,
      quota: { dailyLimit: 1000 },
    });

    // The hub learns of the new sandbox agreement when its cached view of the system's agreements is read again.
    const found = await waitFor(
      'the sandbox agreement served',
      async () => {
        const answer = await call(clients.exchange, 'lookup', { context: context(sandboxId), citizen: synthetic, fields: ['fullName'] });
        return answer.ok ? answer : undefined;
      },
      60_000,
    );
    expect(found).toMatchObject({
      ok: true,
      response: { personalId: synthetic.personalId, fields: [{ field: 'fullName', value: synthetic.fullName }] },
    });
    const verified = await call(clients.exchange, 'verify', {
      context: context(sandboxId),
      personalId: synthetic.personalId,
      claims: [{ field: 'dateOfBirth', value: synthetic.dateOfBirth }],
    });
    expect(verified).toMatchObject({ ok: true, response: { matches: [{ field: 'dateOfBirth', matches: true }] } });

    // A real citizen of the store is not there for a test run, and neither is the change feed.
    const real = keyOf(fx.citizens[0]!);
    expect(await call(clients.exchange, 'lookup', { context: context(sandboxId), citizen: real, fields: ['fullName'] })).toMatchObject({
      ok: false,
      code: status.NOT_FOUND,
      reason: 'CITIZEN_NOT_FOUND',
    });
    // Nor does the undecided request read anything under its own id.
    expect(await call(clients.exchange, 'lookup', { context: context(requestId), citizen: real, fields: ['fullName'] })).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
      reason: 'AGREEMENT_UNKNOWN',
    });

    const runs = (await queryJournal(fx.store.db, { agreement: sandboxId, limit: 1000 })).reverse();
    const refusedFirst = runs.findIndex((entry) => entry.decision === 'allowed');
    expect(runs.slice(0, refusedFirst).every((entry) => entry.action === 'Lookup' && entry.reason === 'AGREEMENT_UNKNOWN')).toBe(true);
    expect(runs.slice(refusedFirst - 1).map((entry) => [entry.act, entry.action, entry.decision, entry.reason ?? ''])).toEqual([
      ['test-run', 'Lookup', 'refused', 'AGREEMENT_UNKNOWN'],
      ['test-run', 'Lookup', 'allowed', ''],
      ['test-run', 'Verify', 'allowed', ''],
      ['test-run', 'Lookup', 'refused', 'CITIZEN_NOT_FOUND'],
    ]);
    // Test runs never appear among the exchanges a citizen's access log lists.
    expect(await queryJournal(fx.store.db, { act: 'exchange', citizen: synthetic.personalId })).toEqual([]);
    const approvals = (await queryJournal(fx.store.db, { act: 'registry', agreement: requestId }))
      .filter((entry) => entry.action === 'approve-testing')
      .reverse();
    expect(approvals.map((entry) => [entry.actor.officer, entry.decision, entry.reason ?? ''])).toEqual([
      ['hn-director', 'refused', 'NOT_COMPETENT'],
      ['c06-head', 'done', ''],
    ]);
  });

  it('R34: the sandbox agreement ends when the request is decided; the real agreement then needs its security assessment', async () => {
    const clients = await fx.systemClients('vss-t-portal', 'vss-t');
    const context = (agreementId: string) => ({ agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'test-002', officerId: 'tester' });
    await fx.api.registry.reviewRequest(requestId, { officerId: 'c06-head', decision: 'approve' });
    await expect(fx.api.registry.approveForTesting(requestId, 'c06-head')).rejects.toBeInstanceOf(RegistryError);
    const sandboxCall = await call(clients.exchange, 'lookup', {
      context: context(`${requestId}.sandbox`),
      citizen: syntheticCitizen(),
      fields: ['fullName'],
    });
    expect(sandboxCall).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'AGREEMENT_UNKNOWN' });
    const real = await call(clients.exchange, 'lookup', {
      context: context(requestId),
      citizen: keyOf(fx.citizens[0]!),
      fields: ['fullName'],
    });
    expect(real).toMatchObject({ ok: false, code: status.PERMISSION_DENIED, reason: 'ASSESSMENT_MISSING' });
  });
});
