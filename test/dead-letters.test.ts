import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { kafkaConsoleProduce } from '../deploy/local/stack.ts';
import { DLQ_TOPIC, sourceTopic } from '../kafka/topics.ts';
import { parsePersonalId } from '../schemas/personal-id.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN, publishRaw, startTestHub, type TestHub, tapTopic, waitFor } from './harness.ts';

const run = promisify(execFile);

const NEEDED: SourceEvent['type'][] = [
  'permanent-residence-registered',
  'birth-registered',
  'current-residence-declared',
  'temporary-residence-registered',
];

/** A fresh simulation (new ids every run) that holds at least one event of each type the tests pick. */
function someEvents(): SourceEvent[] {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 30 });
    if (NEEDED.every((type) => events.some((event) => event.type === type))) return events;
  }
  throw new Error(`20 simulations in a row lacked one of ${NEEDED.join(', ')}`);
}

/** The year before the birth year a personal id encodes. */
function yearBefore(personalId: string): number {
  return parsePersonalId(personalId)!.birthYear - 1;
}

function pick<T extends SourceEvent['type']>(events: SourceEvent[], type: T): Extract<SourceEvent, { type: T }> {
  const found = events.find((event) => event.type === type);
  if (!found) throw new Error(`the simulation made no ${type} event`);
  return found as Extract<SourceEvent, { type: T }>;
}

describe('dead letters on the real Kafka', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('R26, R5: every kind of bad record lands in dancu.dlq.v1 with its reason and origin, and the good one beside them is applied; dancu dlq list shows them by reason', async () => {
    const events = someEvents();
    const residence = pick(events, 'permanent-residence-registered');
    const birth = pick(events, 'birth-registered');
    const good = pick(events, 'current-residence-declared');
    const residenceTopic = sourceTopic('residence');
    const json = (value: unknown) => JSON.stringify(value);

    const { address: _dropped, ...payloadWithoutAddress } = residence.payload;
    const bornLater = {
      ...birth,
      payload: {
        ...birth.payload,
        dateOfBirth: `${Number(birth.payload.dateOfBirth.slice(0, 4)) + 1}${birth.payload.dateOfBirth.slice(4)}`,
      },
    };
    const cases = [
      { reason: 'malformed-json', topic: residenceTopic, key: residence.personalId, value: '{"eventId": "4f1c' },
      {
        reason: 'schema-violation',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, payload: payloadWithoutAddress }),
        path: '/payload',
      },
      { reason: 'id-inconsistent', topic: sourceTopic('civil-status'), key: birth.personalId, value: json(bornLater) },
      { reason: 'unknown-source', topic: sourceTopic('health'), key: residence.personalId, value: json(residence) },
      {
        reason: 'unknown-type',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, type: 'moved-abroad-forever' }),
      },
      {
        reason: 'message-too-large',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, padding: 'x'.repeat(70 * 1024) }),
      },
      // Plausibility (schemas/plausibility.ts).
      { reason: 'missing-key', topic: residenceTopic, key: null, value: json({ ...residence, eventId: randomUUID() }) },
      {
        reason: 'future-dated',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
        path: '/occurredAt',
      },
      {
        reason: 'before-birth',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, occurredAt: `${yearBefore(residence.personalId)}-06-01T00:00:00+07:00` }),
        path: '/occurredAt',
      },
      {
        reason: 'before-floor',
        topic: residenceTopic,
        key: residence.personalId,
        value: json({ ...residence, recordedAt: '1850-01-01T00:00:00+07:00' }),
        path: '/recordedAt',
      },
      {
        reason: 'invalid-text',
        topic: sourceTopic('civil-status'),
        key: birth.personalId,
        value: json({ ...birth, payload: { ...birth.payload, fullName: 'Nguyễn \u202eAn' } }),
        path: '/payload/fullName',
      },
      {
        reason: 'invalid-text',
        topic: sourceTopic('civil-status'),
        key: birth.personalId,
        value: json({ ...birth, payload: { ...birth.payload, fullName: 'Nguyễn\u0000An' } }),
        path: '/payload/fullName',
      },
    ];

    const dlq = await tapTopic(DLQ_TOPIC);
    for (const bad of cases) await publishRaw(bad.topic, [{ key: bad.key, value: bad.value }]);
    await publishRaw(residenceTopic, [{ key: good.personalId, value: json(good) }]);

    // Wait for every case's own letter (a letter may come twice: dead letters are at least once).
    const original = (letter: { originalValueBase64?: string }) => Buffer.from(letter.originalValueBase64 ?? '', 'base64').toString();
    const letters = await waitFor('a dead letter for every case', async () => {
      const mine = dlq.records
        .map((record) => JSON.parse(record.value!.toString()))
        .filter((letter) => cases.some((bad) => original(letter) === bad.value));
      return cases.every((bad) => mine.some((letter) => original(letter) === bad.value)) ? mine : undefined;
    });
    for (const bad of cases) {
      const letter = letters.find((entry) => original(entry) === bad.value);
      expect(letter, bad.reason).toMatchObject({
        reason: bad.reason,
        sourceTopic: bad.topic,
        partition: expect.any(Number),
        offset: expect.any(String),
        key: bad.key,
      });
      expect(letter.detail.length, `${bad.reason} has a readable detail`).toBeGreaterThan(10);
      if (bad.path) expect(letter.path).toMatch(new RegExp(`^${bad.path}`));
    }
    await dlq.stop();

    // An operator sees them with `dancu dlq list`, grouped by reason, and one by one.
    const env = cliEnv();
    const summary = JSON.parse((await run(process.execPath, [DANCU_BIN, 'dlq', 'list', '--json'], { env })).stdout);
    for (const bad of cases)
      expect(summary.reasons.find((group: { reason: string }) => group.reason === bad.reason)?.count, bad.reason).toBeGreaterThanOrEqual(1);
    const malformed = JSON.parse(
      (await run(process.execPath, [DANCU_BIN, 'dlq', 'list', '--reason', 'malformed-json', '--json'], { env })).stdout,
    );
    // Listed with values redacted: the original is known by its digest, its bytes are not shown (`dlq show` does, journaled).
    expect(malformed.map((letter: { original?: { sha256: string } }) => letter.original?.sha256)).toContain(
      createHash('sha256').update(cases[0]!.value).digest('hex'),
    );
    expect(malformed.some((letter: { originalValueBase64?: string }) => letter.originalValueBase64 !== undefined)).toBe(false);

    await waitFor('the good event applied', async () => (await hub.store.readCitizen(good.personalId)) ?? undefined);
    const stored = await hub.store.readCitizen(good.personalId);
    expect(stored?.fields.currentAddress?.eventId).toBe(good.eventId);
    expect(await hub.store.citizens.countDocuments()).toBe(1);
    // A slice's counts are recorded after its letters are sent: wait for them, then check the total.
    await waitFor('every rejection counted', async () => hub.hub.stats.total().rejected >= cases.length);
    expect(hub.hub.stats.total().rejected).toBe(cases.length);
  });

  it("R28: an event written by Kafka's own console producer is applied, and a malformed one is dead-lettered with its reason", async () => {
    const event = pick(someEvents(), 'temporary-residence-registered');
    const dlq = await tapTopic(DLQ_TOPIC);
    await kafkaConsoleProduce(testEndpoints().kafkaBrokers, sourceTopic('residence'), [
      { key: event.personalId, value: JSON.stringify(event) },
      { key: event.personalId, value: '{"not": "an event"' },
    ]);
    await waitFor('the console-produced event applied', async () => (await hub.store.readCitizen(event.personalId)) ?? undefined);
    const letter = await waitFor('the malformed record dead-lettered', async () =>
      dlq.records
        .map((record) => JSON.parse(record.value!.toString()))
        .find((entry) => Buffer.from(entry.originalValueBase64, 'base64').toString() === '{"not": "an event"'),
    );
    expect(letter.reason).toBe('malformed-json');
    await dlq.stop();
  });
});
