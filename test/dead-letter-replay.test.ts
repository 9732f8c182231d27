// R26/R35: once the cause of a rejection is fixed, an operator replays the dead letters; the hub
// applies them; a second replay changes nothing; both runs are journaled.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeadLetter, deadLetterRecord } from '../hub/ingest/dead-letter.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { DLQ_TOPIC, HEADERS, sourceTopic } from '../kafka/topics.ts';
import { makePersonalId } from '../schemas/personal-id.ts';
import { birthEvent } from '../testing/sample-events.ts';
import { cliEnv, DANCU_BIN, officerPki, startTestHub, type TestHub, testKafka, waitFor } from './harness.ts';

const run = promisify(execFile);

describe('replaying dead letters', () => {
  let hub: TestHub;
  let pki: Awaited<ReturnType<typeof officerPki>>;
  beforeAll(async () => {
    hub = await startTestHub();
    pki = await officerPki('dancu-replay', hub.database, 'ops-7');
  });
  afterAll(async () => {
    await hub?.stop();
    await pki?.remove();
  });

  it('R26, R35: a letter whose cause is fixed is applied once, however often it is replayed, and each replay is journaled', async () => {
    // A birth the hub of an earlier version dead-lettered (say, as an event type it did not know yet);
    // its original bytes are a valid event for today's hub.
    const personalId = makePersonalId('001', 'female', 1999, Math.floor(Math.random() * 900_000) + 100_000);
    const event = birthEvent(
      { eventId: randomUUID(), personalId, occurredAt: '1999-06-01T00:00:00+07:00' },
      { dateOfBirth: '1999-06-01', sex: 'female', fullName: 'Trần Thị Hoa' },
    );
    const reason = 'unknown-type';
    const original = Buffer.from(JSON.stringify(event));
    const letter: DeadLetter = {
      reason,
      detail: 'the event type was unknown to hub 0.9',
      sourceTopic: sourceTopic('civil-status'),
      partition: 0,
      offset: String(Date.now()),
      key: personalId,
      original: { bytes: original.length, sha256: createHash('sha256').update(original).digest('hex'), included: true },
      originalValueBase64: original.toString('base64'),
      headers: { [HEADERS.eventId]: String(event.eventId) },
      rejectedAt: new Date().toISOString(),
    };
    const publisher = new RecordPublisher(testKafka());
    await publisher.publish(DLQ_TOPIC, [deadLetterRecord(letter, trace.wrapSpanContext(INVALID_SPAN_CONTEXT))]);
    await publisher.close();

    const replay = (...extra: string[]) =>
      run(
        process.execPath,
        [
          DANCU_BIN,
          'dlq',
          'replay',
          '--reason',
          reason,
          '--source-topic',
          sourceTopic('civil-status'),
          '--note',
          'hub 1.0 knows the event type',
          '--officer',
          'ops-7',
          ...extra,
        ],
        { env: cliEnv({ DANCU_DB: hub.database, DANCU_PKI_DIR: pki.dir }) },
      );

    const dry = await replay('--dry-run');
    expect(dry.stdout).toContain(`key ${personalId}`);

    const first = await replay();
    expect(first.stdout).toMatch(/replayed [1-9]\d* dead letter\(s\), skipped 0/);
    await waitFor(
      'the replayed birth in the store',
      async () => (await hub.store.readCitizen(personalId))?.fields.fullName?.value === 'Trần Thị Hoa',
    );

    const second = await replay();
    expect(second.stdout).toMatch(/replayed 0 dead letter\(s\), skipped [1-9]/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await hub.store.readHistory(personalId)).toHaveLength(1);

    // By act: the test hub also journals whatever else reaches the source topics meanwhile.
    const replays = await queryJournal(hub.store.db, { act: 'dead-letter-replay', limit: 10 });
    expect(replays).toHaveLength(2);
    expect(replays.every((entry) => entry.actor.officer === 'ops-7' && entry.detail?.includes('hub 1.0 knows the event type'))).toBe(true);
    expect(replays.some((entry) => entry.citizens.includes(personalId))).toBe(true);
  });
});
