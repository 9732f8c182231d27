// R37: a data-error report reaches the authoritative register's connector, the register decides
// (accepted, or rejected with its reason), the decision travels back over Kafka, and the reporter
// reads the outcome over gRPC.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctionsOf, decideCorrection, followCorrections } from '../connectors/sdk/corrections.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import type { BatchConsumer } from '../kafka/batch-consumer.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { correctionDecisionsTopic } from '../kafka/topics.ts';
import { type Consumer, call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN, testKafka, waitFor } from './harness.ts';

const run = promisify(execFile);
const GRANTS = [
  { field: 'fullName', modes: ['disclose'] },
  { field: 'permanentAddress', modes: ['disclose'] },
];

describe('corrections reach the source register (R37)', () => {
  let fx: ExchangeFixture;
  let vss: Consumer;
  let other: Consumer;
  let dir: string;
  let residenceFile: string;
  let civilFile: string;
  let publisher: RecordPublisher;
  const inboxes: BatchConsumer[] = [];

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 6 });
    vss = await fx.register({
      organisation: 'vss-c',
      category: 'CENTRAL_STATE_BODY',
      system: 'vss-c-insurance',
      services: ['Lookup', 'ReportDataError'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: GRANTS,
    });
    other = await fx.register({
      organisation: 'gso-c',
      category: 'CENTRAL_STATE_BODY',
      system: 'gso-c-survey',
      services: ['Lookup', 'ReportDataError'],
      purposes: ['STATISTICS'],
      grants: GRANTS,
    });
    dir = await mkdtemp(join(tmpdir(), 'dancu-corrections-'));
    residenceFile = join(dir, 'residence.jsonl');
    civilFile = join(dir, 'civil-status.jsonl');
    // Each register's connector, in a group of its own for this test (the shared Kafka's topics hold other tests' reports).
    for (const [source, file] of [
      ['residence', residenceFile],
      ['civil-status', civilFile],
    ] as const) {
      const inbox = followCorrections({
        kafka: testKafka(),
        source,
        file,
        groupId: `dancu-corrections-${source}-${randomUUID().slice(0, 8)}`,
        log: () => {},
      });
      const joined = inbox.joined();
      await inbox.start();
      await joined;
      inboxes.push(inbox);
    }
    publisher = new RecordPublisher(testKafka());
  });
  afterAll(async () => {
    for (const inbox of inboxes) await inbox.stop();
    await publisher?.close();
    await fx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const context = (consumer: Consumer) => ({
    agreementId: consumer.agreementId,
    purpose: consumer === vss ? 'SOCIAL_INSURANCE' : 'STATISTICS',
    caseReference: 'insured-4411',
    officerId: 'officer-7',
  });
  const report = async (field: string, citizenIndex: number) => {
    const reported = await call(vss.exchange, 'reportDataError', {
      context: context(vss),
      citizen: keyOf(fx.citizens[citizenIndex]!),
      field,
      proposedValue: { province: 'Hà Nội', detail: 'Số 9' },
      description: 'The insured person showed a newer document.',
    });
    if (!reported.ok) throw new Error(`${reported.reason}: ${reported.details}`);
    return reported.response;
  };
  const outcome = (reportId: string, consumer: Consumer = vss) =>
    call(consumer.exchange, 'getDataErrorReport', { context: context(consumer), reportId });

  it("R37: the residence register's connector receives the report routed to it (not the civil-status one), rejects it with a reason, and the reporter reads that outcome", async () => {
    const address = await report('permanentAddress', 1);
    const name = await report('fullName', 2);
    expect([address.routedTo, name.routedTo]).toEqual(['residence', 'civil-status']);
    expect(await outcome(address.reportId)).toMatchObject({
      ok: true,
      response: { reportId: address.reportId, field: 'permanentAddress', routedTo: 'residence', status: 'routed', reason: '' },
    });

    await waitFor('the report in the residence register', async () =>
      (await correctionsOf(residenceFile)).some((entry) => entry.report.reportId === address.reportId),
    );
    await waitFor('the report in the civil-status register', async () =>
      (await correctionsOf(civilFile)).some((entry) => entry.report.reportId === name.reportId),
    );
    expect((await correctionsOf(residenceFile)).map((entry) => entry.report.reportId)).not.toContain(name.reportId);

    await expect(
      decideCorrection(
        { publisher, source: 'residence', file: residenceFile },
        { reportId: address.reportId, decision: 'rejected', reason: ' ', decidedBy: 'ha-noi-residence-officer' },
      ),
    ).rejects.toThrow(/needs the reason/);
    await decideCorrection(
      { publisher, source: 'residence', file: residenceFile },
      {
        reportId: address.reportId,
        decision: 'rejected',
        reason: 'Registered address confirmed on 2026-10-02; the document shown is older.',
        decidedBy: 'ha-noi-residence-officer',
      },
    );
    await expect(
      decideCorrection(
        { publisher, source: 'residence', file: residenceFile },
        { reportId: address.reportId, decision: 'accepted', decidedBy: 'x' },
      ),
    ).rejects.toThrow(/already rejected/);

    const rejected = await waitFor('the rejection at the hub', async () => {
      const answer = await outcome(address.reportId);
      return answer.ok && answer.response.status !== 'routed' ? answer.response : undefined;
    });
    expect(rejected).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('document shown is older'),
      decidedBy: 'ha-noi-residence-officer',
    });
    expect(rejected.decidedAt).toBeInstanceOf(Date);
    const journaled = await queryJournal(fx.store.db, { act: 'correction', agreement: vss.agreementId });
    expect(journaled.map((entry) => [entry.decision, entry.detail])).toContainEqual(['done', `${address.reportId}: rejected by residence`]);
  });

  it("R37: a decision from a register the report was not routed to changes nothing and is journaled as refused, one naming another register than its topic's is skipped; another agreement cannot read the outcome", async () => {
    const address = await report('permanentAddress', 3);
    const decided = (source: string) => ({
      reportId: address.reportId,
      source,
      decision: 'accepted',
      reason: '',
      decidedAt: new Date().toISOString(),
      decidedBy: 'someone',
    });
    // On health's own decisions topic, in one partition (same key), in this order: a value claiming
    // to be residence's decision (the authority), then health's own decision on residence's report.
    await publisher.publish(correctionDecisionsTopic('health'), [
      { key: address.reportId, value: JSON.stringify(decided('residence')) },
      { key: address.reportId, value: JSON.stringify(decided('health')) },
    ]);
    const refused = await waitFor('the refusal in the journal', async () =>
      (await queryJournal(fx.store.db, { act: 'correction' })).find(
        (entry) => entry.decision === 'refused' && entry.detail?.startsWith(address.reportId),
      ),
    );
    expect(refused).toMatchObject({ reason: 'NOT_THE_AUTHORITY', detail: `${address.reportId}: routed to residence, decided by health` });
    expect(await outcome(address.reportId)).toMatchObject({ ok: true, response: { status: 'routed' } });
    expect(await outcome(address.reportId, other)).toMatchObject({ ok: false, code: status.NOT_FOUND, reason: 'RECORD_NOT_FOUND' });
    expect(await outcome('not-a-report')).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT, reason: 'INVALID_REQUEST' });
  });

  it("R37: `dancu corrections decide` accepts a correction for its register and the reporter reads it accepted; `dancu corrections list` shows the register's record", async () => {
    const address = await report('permanentAddress', 4);
    await waitFor('the report in the residence register', async () =>
      (await correctionsOf(residenceFile)).some((entry) => entry.report.reportId === address.reportId),
    );
    const dancu = (...args: string[]) => run(process.execPath, [DANCU_BIN, ...args], { env: cliEnv() });
    await expect(
      dancu('corrections', 'decide', 'residence', address.reportId, '--reject', '--decided-by', 'clerk', '--file', residenceFile),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('needs the reason') });
    const decided = await dancu(
      'corrections',
      'decide',
      'residence',
      address.reportId,
      '--accept',
      '--reason',
      'Corrected; event published.',
      '--decided-by',
      'clerk-12',
      '--file',
      residenceFile,
    );
    expect(decided.stdout).toContain(`correction ${address.reportId} accepted; sent to the hub`);
    const accepted = await waitFor('the acceptance at the hub', async () => {
      const answer = await outcome(address.reportId);
      return answer.ok && answer.response.status === 'accepted' ? answer.response : undefined;
    });
    expect(accepted).toMatchObject({ reason: 'Corrected; event published.', decidedBy: 'clerk-12' });
    const list = await dancu('corrections', 'list', 'residence', '--file', residenceFile);
    expect(list.stdout).toMatch(new RegExp(`${address.reportId}\\s+permanentAddress\\s+\\d{12}\\s+\\S+\\s+accepted`));
  });
});
