// R26, R5: no record can stop ingest. An oversized record, a dead-letter queue that refuses
// letters, an event id reused for other content: each is dealt with and ingest goes on; the hub
// says it is not ready while it cannot move on, and why.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { livePid } from '../deploy/local/daemon.ts';
import { kafkaService } from '../deploy/local/kafka-broker.ts';
import { consumerLag } from '../kafka/group-offsets.ts';
import { readRecordAt } from '../kafka/read-record-at.ts';
import { DLQ_TOPIC, sourceTopic } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { childExit } from '../testing/child-exit.ts';
import {
  cliEnv,
  DANCU_BIN,
  publishRaw,
  startTestHub,
  type TestHub,
  tapTopic,
  temporaryPki,
  testKafka,
  uniqueName,
  waitFor,
} from './harness.ts';

const json = (value: unknown) => JSON.stringify(value);

/** A fresh simulated citizen's birth and another of their events (new ids every run). */
function aCitizen(): {
  birth: Extract<SourceEvent, { type: 'birth-registered' }>;
  residence: Extract<SourceEvent, { source: 'residence' }>;
} {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 5 });
    const birth = events.find((event) => event.type === 'birth-registered');
    const residence = events.find((event) => event.source === 'residence' && event.personalId === birth?.personalId);
    if (birth && residence) return { birth: birth as never, residence: residence as never };
  }
  throw new Error('50 simulations in a row had no citizen with a birth and a residence event');
}

function lettersOf(records: { value: Buffer | null }[]): Array<Record<string, any>> {
  return records.map((record) => JSON.parse(record.value!.toString()));
}

describe('ingest goes on whatever a source sends', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ backoff: { initialMs: 200, maxMs: 1_000 } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('R26: a 900 KB record is dead-lettered with its digest, size and position, the records after it are applied, and the original can be read back', async () => {
    const { birth, residence } = aCitizen();
    const topic = sourceTopic('residence');
    const huge = json({ ...residence, padding: 'x'.repeat(900_000) });
    const dlq = await tapTopic(DLQ_TOPIC);
    // Same key, so the same partition: the good record sits behind the huge one.
    await publishRaw(topic, [{ key: residence.personalId, value: huge }]);
    await publishRaw(sourceTopic('civil-status'), [{ key: birth.personalId, value: json(birth) }]);
    await publishRaw(topic, [{ key: residence.personalId, value: json(residence) }]);

    await waitFor(
      'the residence event behind the huge record applied',
      async () => (await hub.store.history.findOne({ _id: residence.eventId })) ?? undefined,
    );
    const digest = createHash('sha256').update(huge).digest('hex');
    const letter = await waitFor('the huge record dead-lettered', async () =>
      lettersOf(dlq.records).find((entry) => entry.original?.sha256 === digest),
    );
    await dlq.stop();
    expect(letter).toMatchObject({
      reason: 'message-too-large',
      sourceTopic: topic,
      key: residence.personalId,
      original: { bytes: Buffer.byteLength(huge), included: false },
      truncated: ['original'],
    });
    expect(letter.originalValueBase64).toBeUndefined();
    const original = await readRecordAt(testKafka(), letter.sourceTopic, letter.partition, letter.offset);
    expect(createHash('sha256').update(original.value!).digest('hex')).toBe(digest);
    expect((await hub.hub.readiness()).ready).toBe(true);
  });

  it('R26: when the dead-letter queue refuses letters the hub goes not ready, naming the cause, commits nothing past the record, and recovers by itself', async () => {
    const { birth } = aCitizen();
    const topic = sourceTopic('civil-status');
    const admin = testKafka().admin();
    await admin.connect();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: DLQ_TOPIC }],
    });
    const own = described.resources[0]!.configEntries.filter((entry) => !entry.isDefault && !entry.readOnly).map(
      ({ configName, configValue }) => ({ name: configName, value: configValue }),
    );
    const setDlqConfig = (entries: Array<{ name: string; value: string }>) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: DLQ_TOPIC, configEntries: entries }],
      });
    try {
      // The broker now refuses any letter: every one is larger than 100 bytes.
      await setDlqConfig([...own.filter((entry) => entry.name !== 'max.message.bytes'), { name: 'max.message.bytes', value: '100' }]);
      const malformed = `{"eventId": "${randomUUID()}", broken`;
      await publishRaw(topic, [{ key: birth.personalId, value: malformed }]);
      const readiness = await waitFor('the hub to report itself not ready', async () => {
        const now = await hub.hub.readiness();
        return now.ready ? undefined : now;
      });
      // Published once the slice holding the bad record is stuck, so it cannot be in that slice:
      // it waits behind it, unread.
      await publishRaw(topic, [{ key: birth.personalId, value: json(birth) }]);
      expect(readiness.checks.consumer).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/handling dancu\.source\.civil-status\.v1\[\d+\]@\d+\.\.\d+ failed/),
      });
      const failures = await hub.hub.metrics.registry.getSingleMetric('dancu_ingest_consumer_failures_total')!.get();
      expect(failures.values.find((value) => value.labels.kind === 'slice')?.value).toBeGreaterThanOrEqual(1);
      // The birth behind the refused letter is not applied and nothing past the bad record is committed.
      expect(await hub.store.readCitizen(birth.personalId)).toBeNull();
      const lag = await consumerLag(testKafka(), hub.groupId, [topic]);
      expect(lag.reduce((sum, partition) => sum + partition.lag, 0)).toBeGreaterThanOrEqual(2);
    } finally {
      await setDlqConfig(own);
      await admin.disconnect();
    }
    await waitFor(
      'the birth applied once the queue takes letters again',
      async () => (await hub.store.readCitizen(birth.personalId)) ?? undefined,
    );
    await waitFor('the hub ready again', async () => (await hub.hub.readiness()).ready);
    await waitFor('every offset committed', async () =>
      (await consumerLag(testKafka(), hub.groupId, [topic])).every((partition) => partition.lag === 0),
    );
  });

  it('R5: an event id seen again with other content is a conflict — A then A′, A′ then A, and the id reused for another type or another citizen — the first accepted stands and a redelivery stays silent', async () => {
    const civil = sourceTopic('civil-status');
    const first = aCitizen();
    const second = aCitizen();
    const third = aCitizen();
    const alter = (event: SourceEvent) => ({ ...event, payload: { ...event.payload, fullName: 'Kẻ Giả Mạo' } });
    const dlq = await tapTopic(DLQ_TOPIC);
    // A then A′ then A again (a harmless redelivery).
    await publishRaw(civil, [{ key: first.birth.personalId, value: json(first.birth) }]);
    await publishRaw(civil, [{ key: first.birth.personalId, value: json(alter(first.birth)) }]);
    await publishRaw(civil, [{ key: first.birth.personalId, value: json(first.birth) }]);
    // A′ then A.
    await publishRaw(civil, [{ key: second.birth.personalId, value: json(alter(second.birth)) }]);
    await publishRaw(civil, [{ key: second.birth.personalId, value: json(second.birth) }]);
    // The id of third's birth reused, once it is applied, for a name change of the same citizen and for a birth of another.
    await publishRaw(civil, [{ key: third.birth.personalId, value: json(third.birth) }]);
    await waitFor("third's birth applied", async () => (await hub.store.history.findOne({ _id: third.birth.eventId })) ?? undefined);
    const renamed = { ...third.birth, type: 'name-changed', payload: { newFullName: 'Kẻ Giả Mạo', reason: 'giả mạo' } };
    await publishRaw(civil, [{ key: third.birth.personalId, value: json(renamed) }]);
    await publishRaw(civil, [{ key: first.birth.personalId, value: json({ ...first.birth, eventId: third.birth.eventId }) }]);

    const conflicts = await waitFor('four conflicts dead-lettered', async () => {
      const mine = lettersOf(dlq.records).filter((letter) => letter.reason === 'conflict');
      return mine.length >= 4 ? mine : undefined;
    });
    await dlq.stop();
    const originals = conflicts.map((letter) => JSON.parse(Buffer.from(letter.originalValueBase64, 'base64').toString()));
    expect(originals.map((event) => [event.personalId, event.eventId, event.type, event.payload.fullName]).sort()).toEqual(
      [
        [first.birth.personalId, first.birth.eventId, 'birth-registered', 'Kẻ Giả Mạo'],
        [second.birth.personalId, second.birth.eventId, 'birth-registered', second.birth.payload.fullName],
        [third.birth.personalId, third.birth.eventId, 'name-changed', undefined],
        [first.birth.personalId, third.birth.eventId, 'birth-registered', first.birth.payload.fullName],
      ].sort(),
    );
    expect(conflicts[0]!.detail).toMatch(/accepted before with different content; the version accepted first stands/);
    expect((await hub.store.readCitizen(first.birth.personalId))?.fields.fullName?.value).toBe(first.birth.payload.fullName);
    expect((await hub.store.readCitizen(second.birth.personalId))?.fields.fullName?.value).toBe('Kẻ Giả Mạo');
    // The reused id's history record is the first event's alone, not a mix of two.
    expect(await hub.store.history.findOne({ _id: third.birth.eventId })).toMatchObject({
      personalId: third.birth.personalId,
      eventType: 'birth-registered',
    });
    const citizen = await hub.store.readCitizen(third.birth.personalId);
    expect(
      Object.values(citizen!.fields)
        .filter((version) => version.eventId === third.birth.eventId)
        .every((version) => version.eventType === 'birth-registered'),
    ).toBe(true);
    expect(citizen!.fields.fullName?.value).toBe(third.birth.payload.fullName);
    // A slice's counts are recorded after its letters are sent (and its journal entry written): wait for them.
    const conflictCount = async () =>
      (await hub.hub.metrics.registry.getSingleMetric('dancu_ingest_rejected_total')!.get()).values
        .filter((value) => value.labels.reason === 'conflict')
        .reduce((sum, value) => sum + value.value, 0);
    await waitFor('four conflicts counted', async () => (await conflictCount()) >= 4);
    expect(await conflictCount()).toBe(4);
    expect(hub.hub.stats.total().duplicates, 'the redelivery of A is a silent duplicate').toBeGreaterThanOrEqual(1);
  });
});

describe('a bounded stop', () => {
  let pki: Awaited<ReturnType<typeof temporaryPki>> | undefined;
  let pkiDir = '';
  beforeAll(async () => {
    pki = await temporaryPki('dancu-stop-pki');
    pkiDir = pki.dir;
  });
  afterAll(async () => {
    await pki?.remove();
  });

  // The hub, a source connector, and `dancu start` (hub and four connectors in one process).
  const commands: Array<{ name: string; args: (pkiDir: string) => string[]; ready: string }> = [
    {
      name: 'a hub',
      args: (pkiDir) => [
        'hub',
        '--group',
        uniqueName('test-stop'),
        '--admin-port',
        '0',
        '--grpc-address',
        '127.0.0.1:0',
        '--pki-dir',
        pkiDir,
      ],
      ready: 'hub running',
    },
    { name: 'a source connector', args: () => ['connector', 'residence', '--citizens', '200', '--rate', '20'], ready: 'published' },
    {
      name: '`dancu start`',
      args: (pkiDir) => [
        'start',
        '--citizens',
        '200',
        '--rate',
        '20',
        '--admin-port',
        '0',
        '--grpc-address',
        '127.0.0.1:0',
        '--pki-dir',
        pkiDir,
      ],
      ready: 'dancu running',
    },
  ];
  for (const command of commands) {
    it(`${command.name} told to stop (SIGTERM) while Kafka does not answer exits within DANCU_SHUTDOWN_SECONDS`, async (context) => {
      const kafka = kafkaService();
      const broker = livePid(kafka.pidFile, kafka.marker);
      if (broker === undefined) context.skip(); // Kafka is not the local stack's: the test cannot freeze it
      const bound = 5;
      const child = spawn(process.execPath, [DANCU_BIN, ...command.args(pkiDir)], {
        env: cliEnv({ DANCU_DB: uniqueName('dancu_stop'), DANCU_SHUTDOWN_SECONDS: String(bound), DANCU_HOME: pkiDir }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = childExit(child);
      try {
        await waitFor(`${command.name} to run`, async () => output.includes(command.ready), 120_000);
        process.kill(broker!, 'SIGSTOP'); // Kafka frozen: connections stay open and nothing answers
        try {
          const told = Date.now();
          child.kill('SIGTERM');
          const { code, at } = await exited;
          // The bound plus room for a loaded machine; without the bound it would wait for Kafka for ever.
          expect((at - told) / 1000).toBeLessThan(bound + 15);
          expect(output).toContain(`stopping… (at most ${bound} s`);
          expect([0, 75]).toContain(code);
          // A stop cut by the bound says which of its steps it was still waiting on.
          if (code === 75) expect(output).toMatch(/did not stop within 5 s \(waiting on: [^)]+\)/);
        } finally {
          process.kill(broker!, 'SIGCONT');
        }
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
