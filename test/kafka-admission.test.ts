// Sources are admitted (R40, R42): on a real broker's TLS listener (a private `dancu stack up`,
// never the shared broker), a source system registered and assessed like a consumer gets a
// certificate that lets it write its own topic, and take and decide the data-error reports routed
// to its register (R37), and nothing else; a producer without a certificate, with one from another
// authority, or with another kind of certificate is refused by the broker.
// And topics are created with the replication the cluster allows (one broker here: 1 and 1).
import { execFile } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctionsOf } from '../connectors/sdk/corrections.ts';
import { REPO_ROOT } from '../deploy/local/locations.ts';
import { kafkaConsoleProduce } from '../deploy/local/stack.ts';
import { correctionDecisionsGroup, followCorrectionDecisions } from '../hub/exchange/correction-decisions.ts';
import { type DataErrorReport, kafkaDataErrorReporter, recordedReporter } from '../hub/exchange/data-error-report.ts';
import { DataErrorReports } from '../hub/exchange/data-error-reports.ts';
import { Journal } from '../hub/journal/journal.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { certificatePem, newKeyPair, privateKeyPem, signCertificate } from '../hub/pki/certificate-signing.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { connectKafka, type KafkaTls } from '../kafka/connect.ts';
import { readTopicToEnd } from '../kafka/read-topic-to-end.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import {
  ALL_TOPICS,
  CHANGES_TOPIC,
  correctionDecisionsTopic,
  correctionsGroup,
  correctionsTopic,
  sourceTopic,
  topicLayout,
} from '../kafka/topics.ts';
import type { SourceName } from '../schemas/sources.ts';
import { PrivateKafka } from '../testing/private-kafka.ts';
import { testEndpoints } from './endpoints.ts';
import { DANCU_BIN, testKafka, uniqueName, waitFor } from './harness.ts';

const run = promisify(execFile);
const database = uniqueName('dancu_admission');
const PERSONAL_ID = '001090012345';
const event = (source: string) => ({ key: PERSONAL_ID, value: JSON.stringify({ eventId: randomUUID(), source, personalId: PERSONAL_ID }) });

describe('Kafka admits sources by certificate and ACL (private broker)', () => {
  let kafka: PrivateKafka;
  let ca: string;

  async function dancu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [DANCU_BIN, ...args], {
        cwd: REPO_ROOT,
        env: { ...kafka.env, DANCU_DB: database },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  /** A client of the TLS listener as dancu makes them (`connectKafka`). */
  function tlsClient(tls: KafkaTls) {
    return connectKafka({ brokers: kafka.tls, clientId: 'dancu-admission-test', tls });
  }

  /** kafkajs retries connection errors: one retry is enough to see a refused handshake stay refused. */
  function impatientClient(ssl: { ca: string[]; cert?: string; key?: string }) {
    return new Kafka({
      brokers: kafka.tls,
      clientId: 'dancu-admission-test',
      ssl,
      connectionTimeout: 3_000,
      retry: { retries: 1 },
      logLevel: logLevel.NOTHING,
    });
  }

  async function publish(tls: KafkaTls | Kafka, topic: string, records = [event('civil-status')]): Promise<void> {
    const publisher = new RecordPublisher(tls instanceof Kafka ? tls : tlsClient(tls));
    try {
      await publisher.publish(topic, records);
    } finally {
      await publisher.close().catch(() => {});
    }
  }

  /** Why a consumer of `topic` stopped: it may not read (the broker refuses its group or the topic). */
  async function consumerCrash(tls: KafkaTls, topic: string): Promise<string> {
    const consumer = tlsClient(tls).consumer({
      groupId: `dancu-admission-${randomUUID()}`,
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    const crashed = new Promise<string>((resolve) => consumer.on(consumer.events.CRASH, (crash) => resolve(String(crash.payload.error))));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      void consumer.run({ eachMessage: async () => {} }).catch(() => {});
      return await crashed;
    } finally {
      await consumer.disconnect();
    }
  }

  /** What the broker answers a consumer in `groupId` of `topic`: the refusal's type, from subscribing or from the crash. */
  async function readRefusal(tls: KafkaTls, groupId: string, topic: string): Promise<string> {
    const consumer = tlsClient(tls).consumer({ groupId, retry: { retries: 0, restartOnFailure: async () => false } });
    const crashed = new Promise<unknown>((resolve) => consumer.on(consumer.events.CRASH, (crash) => resolve(crash.payload.error)));
    const refusal = (error: unknown) => `${(error as { type?: string }).type ?? ''} ${String(error)}`;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      void consumer.run({ eachMessage: async () => {} }).catch(() => {});
      return refusal(await crashed);
    } catch (error) {
      return refusal(error);
    } finally {
      await consumer.disconnect();
    }
  }

  beforeAll(async () => {
    kafka = await PrivateKafka.start({ mongodbUri: testEndpoints().mongodbUri });
    ca = await readFile(pkiFiles(kafka.pkiDir).caCertificate, 'utf8');
    // The hub creates every topic (here through the development listener, as `dancu hub` does locally).
    await ensureTopics(connectKafka({ brokers: kafka.brokers, clientId: 'dancu-admission-setup', tls: null }), ALL_TOPICS.map(topicLayout));
  });

  afterAll(async () => {
    await kafka?.stop();
    const client = await MongoClient.connect(testEndpoints().mongodbUri);
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('R40, R42, R29–R32: a source system is registered and assessed before `dancu pki issue --source` gives it a certificate', async () => {
    // The first officer of an empty registry, registered by the CA key holder, then given the
    // operator certificate the CLI acts with (`--officer c06-head` loads it from <pki>/issued).
    expect((await dancu('registry', 'officer', 'add', 'c06-head', '--name', 'Cục trưởng C06', '--level', 'agency-head')).code).toBe(0);
    expect((await dancu('pki', 'issue', 'c06-head', '--operator')).code).toBe(0);
    const added = await dancu(
      'registry',
      'source',
      'add',
      'moj-hotich',
      '--source',
      'civil-status',
      '--organisation',
      'moj',
      '--version',
      '2.1',
      '--officer',
      'c06-head',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('dancu.source.civil-status.v1');

    const unassessed = await dancu('pki', 'issue', 'moj-hotich', '--source');
    expect(unassessed.code).not.toBe(0);
    expect(unassessed.stderr).toContain('ASSESSMENT_MISSING');
    const unknown = await dancu('pki', 'issue', 'nobody', '--source');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('not a registered source system');

    const assessed = await dancu(
      'registry',
      'assess',
      'moj-hotich',
      '--version',
      '2.1',
      '--level',
      '3',
      '--date',
      localDay(new Date()),
      '--kind',
      'initial',
      '--findings',
      'Clean.',
      '--assessor',
      'A05',
      '--officer',
      'c06-head',
    );
    expect(assessed.code, assessed.stderr).toBe(0);
    const issued = await dancu('pki', 'issue', 'moj-hotich', '--source');
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toMatch(/User:source\.civil-status\.[0-9a-f]{16}/);
  });

  it('R40, R42: the source’s certificate writes its own topic; another source’s topic, and reading, are refused by the broker', async () => {
    const issued = join(pkiFiles(kafka.pkiDir).issuedDir, 'moj-hotich');
    const source: KafkaTls = {
      caPem: ca,
      certPem: await readFile(`${issued}.crt.pem`, 'utf8'),
      keyPem: await readFile(`${issued}.key.pem`, 'utf8'),
    };
    const written = event('civil-status');

    await publish(source, sourceTopic('civil-status'), [written]);
    await expect(publish(source, sourceTopic('residence'))).rejects.toThrow(/authoriz/i);
    await expect(publish(source, CHANGES_TOPIC)).rejects.toThrow(/authoriz/i);
    // kafkajs reports the broker's GROUP_AUTHORIZATION_FAILED on FindCoordinator as "Failed to find group coordinator".
    expect(await consumerCrash(source, sourceTopic('civil-status'))).toMatch(/authoriz|failed to find group coordinator/i);

    // Kafka's own console producer, with the client.properties `pki issue --source` wrote (README).
    const consoleWritten = event('civil-status');
    await kafkaConsoleProduce(kafka.tls, sourceTopic('civil-status'), [consoleWritten], { configFile: `${issued}.client.properties` });

    // The hub's principal reads what the source wrote, and writes the hub's own topics.
    const files = pkiFiles(kafka.pkiDir);
    const hub: KafkaTls = {
      caPem: ca,
      certPem: await readFile(files.hubKafkaCertificate, 'utf8'),
      keyPem: await readFile(files.hubKafkaKey, 'utf8'),
    };
    const records = await readTopicToEnd(tlsClient(hub), sourceTopic('civil-status'));
    expect(records.map((record) => record.value?.toString())).toEqual(expect.arrayContaining([written.value, consoleWritten.value]));
    await publish(hub, CHANGES_TOPIC);
  });

  it('R37, R40, R42: a register’s certificate takes the reports routed to it, in its own group, and sends a decision the hub applies; it is refused another register’s corrections and decisions topics, and its decision on a report routed elsewhere is not applied', async () => {
    const files = pkiFiles(kafka.pkiDir);
    const issued = join(files.issuedDir, 'moj-hotich'); // the civil-status register's certificate
    const register: KafkaTls = {
      caPem: ca,
      certPem: await readFile(`${issued}.crt.pem`, 'utf8'),
      keyPem: await readFile(`${issued}.key.pem`, 'utf8'),
    };
    const hub: KafkaTls = {
      caPem: ca,
      certPem: await readFile(files.hubKafkaCertificate, 'utf8'),
      keyPem: await readFile(files.hubKafkaKey, 'utf8'),
    };
    const client = await MongoClient.connect(testEndpoints().mongodbUri);
    const dir = await mkdtemp(join(tmpdir(), 'dancu-corrections-tls-'));
    const file = join(dir, 'civil-status.jsonl');
    const logged: string[] = [];
    const journal = await Journal.open(client.db(database));
    const reports = new DataErrorReports(client.db(database), journal);
    const hubPublisher = new RecordPublisher(tlsClient(hub));
    const registerPublisher = new RecordPublisher(tlsClient(register));
    // The hub's side, with its own certificate: routing, and the decisions of every register.
    const decisions = followCorrectionDecisions({
      kafka: tlsClient(hub),
      reports,
      groupId: correctionDecisionsGroup(database),
      log: (line) => logged.push(line),
    });
    // `dancu corrections` as the register runs it: on the TLS listener, with its certificate.
    const asRegister = {
      ...kafka.env,
      DANCU_DB: database,
      KAFKA_BROKERS: kafka.tls.join(','),
      KAFKA_TLS_CA: files.caCertificate,
      KAFKA_TLS_CERT: `${issued}.crt.pem`,
      KAFKA_TLS_KEY: `${issued}.key.pem`,
    };
    const corrections = (...args: string[]) =>
      run(process.execPath, [DANCU_BIN, 'corrections', ...args, '--file', file], { cwd: REPO_ROOT, env: asRegister, timeout: 120_000 });
    const report = (routedTo: SourceName, field: DataErrorReport['field']): DataErrorReport => ({
      reportId: randomUUID(),
      personalId: PERSONAL_ID,
      field,
      proposedValue: 'Nguyễn Văn A',
      description: 'Newer document shown.',
      routedTo,
      reportedBy: { organisation: 'vss', system: 'vss-insurance', agreement: 'agreement-1', officer: 'officer-7' },
      reportedAt: new Date().toISOString(),
    });
    try {
      const decisionsJoined = decisions.joined();
      await decisions.start();
      await decisionsJoined;
      const mine = report('civil-status', 'fullName');
      const theirs = report('residence', 'permanentAddress');
      const reporter = recordedReporter(reports, kafkaDataErrorReporter(hubPublisher));
      await reporter.report(mine);
      await reporter.report(theirs);

      // Allowed: its own corrections topic, in its own group (`dancu corrections inbox`), and its own decisions topic.
      const inbox = await corrections('inbox', 'civil-status');
      expect(inbox.stdout).toContain(mine.reportId);
      expect((await correctionsOf(file)).map((entry) => entry.report.reportId)).toEqual([mine.reportId]);
      const decided = await corrections(
        'decide',
        'civil-status',
        mine.reportId,
        '--accept',
        '--reason',
        'Corrected.',
        '--decided-by',
        'clerk-3',
      );
      expect(decided.stdout).toContain(`correction ${mine.reportId} accepted; sent to the hub`);
      const applied = await waitFor('the decision at the hub', async () =>
        (await reports.get(mine.reportId))?.status === 'accepted' ? reports.get(mine.reportId) : undefined,
      );
      expect(applied).toMatchObject({ status: 'accepted', decision: { reason: 'Corrected.', decidedBy: 'clerk-3' } });

      // Refused by the broker: another register's reports (even in the register's own group), its group, its decisions topic.
      expect(await readRefusal(register, correctionsGroup('civil-status'), correctionsTopic('residence'))).toMatch(
        /TOPIC_AUTHORIZATION_FAILED/,
      );
      expect(await readRefusal(register, correctionsGroup('residence'), correctionsTopic('civil-status'))).toMatch(
        /GROUP_AUTHORIZATION_FAILED|failed to find group coordinator/i,
      );
      const foreignInbox = await corrections('inbox', 'residence').then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(foreignInbox?.code).toBeGreaterThan(0);
      expect(foreignInbox?.stderr).toMatch(/cannot read dancu\.corrections\.residence\.v1 \(Not authorized to access topics/);
      const forged = {
        reportId: theirs.reportId,
        source: 'residence',
        decision: 'accepted',
        reason: '',
        decidedAt: new Date().toISOString(),
        decidedBy: 'intruder',
      };
      await expect(
        registerPublisher.publish(correctionDecisionsTopic('residence'), [{ key: theirs.reportId, value: JSON.stringify(forged) }]),
      ).rejects.toThrow(/authoriz/i);

      // Written on its own decisions topic, a decision on a report routed to another register is not applied.
      await registerPublisher.publish(correctionDecisionsTopic('civil-status'), [
        { key: theirs.reportId, value: JSON.stringify({ ...forged, source: 'civil-status' }) },
      ]);
      const refused = await waitFor('the refusal in the journal', async () =>
        (await queryJournal(client.db(database), { act: 'correction' })).find(
          (entry) => entry.decision === 'refused' && entry.detail?.startsWith(theirs.reportId),
        ),
      );
      expect(refused).toMatchObject({
        reason: 'NOT_THE_AUTHORITY',
        detail: `${theirs.reportId}: routed to residence, decided by civil-status`,
      });
      expect(await reports.get(theirs.reportId)).toMatchObject({ status: 'routed' });
      expect(logged.join('\n')).toContain(`civil-status decided ${theirs.reportId}, a report routed to another register; not applied`);
    } finally {
      await decisions.stop();
      await registerPublisher.close().catch(() => {});
      await hubPublisher.close().catch(() => {});
      await journal.close();
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('R40: a producer without a certificate, with one from another authority, or with a consumer system’s certificate cannot write a source topic', async () => {
    // No client certificate: the broker ends the TLS handshake (ssl.client.auth=required).
    await expect(publish(impatientClient({ ca: [ca] }), sourceTopic('civil-status'))).rejects.toThrow();

    // The same subject a source has, signed by an authority the broker does not trust.
    const foreignKeys = newKeyPair();
    const foreignCa = await signCertificate(
      { subject: { CN: 'foreign ca', O: 'attacker' }, publicKey: foreignKeys.publicKey, validDays: 60, usage: 'authority' },
      { selfSigned: foreignKeys.privateKey },
    );
    const forgedKeys = newKeyPair();
    const forged = await signCertificate(
      { subject: { CN: 'civil-status', O: 'moj', OU: 'source' }, publicKey: forgedKeys.publicKey, validDays: 30, usage: 'client' },
      { certificate: foreignCa, privateKey: foreignKeys.privateKey },
    );
    await expect(
      publish(
        impatientClient({ ca: [ca], cert: certificatePem(forged), key: privateKeyPem(forgedKeys.privateKey) }),
        sourceTopic('civil-status'),
      ),
    ).rejects.toThrow();

    // A certificate of the hub's own CA, but a consumer system's (OU=system), even with the CN an
    // admitted source certificate has: no ACL names its principal.
    const admitted = new X509Certificate(await readFile(join(pkiFiles(kafka.pkiDir).issuedDir, 'moj-hotich.crt.pem'))).subject.match(
      /CN=(\S+)/,
    )![1]!;
    const consumer = await issueCertificate(kafka.pkiDir, { kind: 'system', id: admitted, organisation: 'moj', validDays: 30 });
    await expect(
      publish({ caPem: ca, certPem: consumer.certificatePem, keyPem: consumer.privateKeyPem }, sourceTopic('civil-status')),
    ).rejects.toThrow(/authoriz/i);

    // Allowed: the admitted source, on the same listener, still writes.
    const issued = join(pkiFiles(kafka.pkiDir).issuedDir, 'moj-hotich');
    await publish(
      { caPem: ca, certPem: await readFile(`${issued}.crt.pem`, 'utf8'), keyPem: await readFile(`${issued}.key.pem`, 'utf8') },
      sourceTopic('civil-status'),
    );
  });

  it('R40, R22: a replaced or revoked source certificate is refused by the broker at once, even on a connection already open; the new one writes', async () => {
    const issuedFiles = join(pkiFiles(kafka.pkiDir).issuedDir, 'moj-hotich');
    const credentials = async (): Promise<KafkaTls> => ({
      caPem: ca,
      certPem: await readFile(`${issuedFiles}.crt.pem`, 'utf8'),
      keyPem: await readFile(`${issuedFiles}.key.pem`, 'utf8'),
    });
    const old = new RecordPublisher(tlsClient(await credentials()));
    try {
      await old.publish(sourceTopic('civil-status'), [event('civil-status')]);

      const reissued = await dancu('pki', 'issue', 'moj-hotich', '--source');
      expect(reissued.code, reissued.stderr).toBe(0);
      expect(reissued.stdout).toMatch(/revoked .*moj-hotich/);
      expect(reissued.stdout).toMatch(/kafka +User:source\.civil-status\.[0-9a-f]{16} may do nothing any more/);
      await expect(old.publish(sourceTopic('civil-status'), [event('civil-status')])).rejects.toThrow(/authoriz/i);
      const current = await credentials();
      await publish(current, sourceTopic('civil-status'));

      const revoked = await dancu('pki', 'revoke', 'moj-hotich', '--reason', 'key leaked');
      expect(revoked.code, revoked.stderr).toBe(0);
      await expect(publish(current, sourceTopic('civil-status'))).rejects.toThrow(/authoriz/i);
    } finally {
      await old.close().catch(() => {});
    }
  });

  it('topics are created with one replica and min.insync.replicas 1 on a single broker', async () => {
    const topic = `dancu-test.replication.${randomUUID().slice(0, 8)}`;
    const shared = testKafka();
    await ensureTopics(shared, [{ topic, partitions: 1 }]);
    const admin = shared.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]!.partitions.map((partition) => partition.replicas.length)).toEqual([1]);
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      });
      expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('1');
    } finally {
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    }
  });
});
