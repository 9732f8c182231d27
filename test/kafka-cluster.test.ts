// `dancu stack up --brokers 3` runs a real three-node KRaft cluster (here a private one, on free
// ports of its own, never the shared broker): every dancu topic gets three replicas with
// min.insync.replicas 2, and an idempotent acks=all producer on one node's TLS listener is read
// back through another's. Starting three JVMs takes about a minute on two cores.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../deploy/local/locations.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { applyAccessRules, sourceAccessRules, sourceCertificateName, sourcePrincipal } from '../kafka/access.ts';
import { connectKafka } from '../kafka/connect.ts';
import { readTopicToEnd } from '../kafka/read-topic-to-end.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { ALL_TOPICS, sourceTopic, topicLayout } from '../kafka/topics.ts';
import { PrivateKafka } from '../testing/private-kafka.ts';
import { testEndpoints } from './endpoints.ts';
import { DANCU_BIN } from './harness.ts';

const run = promisify(execFile);

describe('a three-node Kafka cluster (private)', () => {
  let cluster: PrivateKafka;

  beforeAll(async () => {
    cluster = await PrivateKafka.start({ size: 3, mongodbUri: testEndpoints().mongodbUri });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('`dancu stack up --brokers 3` starts three nodes that answer, and `stack status` lists each', async () => {
    expect(cluster.output).toMatch(/node 3 of 3 is ready/);
    const { stdout } = await run(process.execPath, [DANCU_BIN, 'stack', 'status', '--json'], { cwd: REPO_ROOT, env: cluster.env });
    const kafkaNodes = (JSON.parse(stdout) as Array<{ service: string; running: boolean; answering: boolean; address: string }>).filter(
      (status) => status.service === 'kafka',
    );
    expect(kafkaNodes.map((node) => [node.address, node.running, node.answering])).toEqual(
      cluster.brokers.map((address) => [address, true, true]),
    );
  });

  it('topics are created with three replicas and min.insync.replicas 2; an idempotent acks=all write on one node is read through another', async () => {
    const kafka = connectKafka({ brokers: cluster.brokers, clientId: 'dancu-cluster-test', tls: null });
    await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
      for (const topic of metadata.topics) {
        expect(
          topic.partitions.map((partition) => partition.replicas.length),
          topic.name,
        ).toEqual(topic.partitions.map(() => 3));
      }
      const configs = await admin.describeConfigs({
        resources: ALL_TOPICS.map((name) => ({ type: 2, name, configNames: ['min.insync.replicas'] })),
        includeSynonyms: false,
      });
      expect(configs.resources.map((resource) => resource.configEntries[0]?.configValue)).toEqual(ALL_TOPICS.map(() => '2'));
    } finally {
      await admin.disconnect();
    }

    const ca = await readFile(pkiFiles(cluster.pkiDir).caCertificate, 'utf8');
    const name = sourceCertificateName('residence');
    const source = await issueCertificate(cluster.pkiDir, { kind: 'source', id: name, organisation: 'mps', validDays: 30 });
    await applyAccessRules(kafka, sourceAccessRules(sourcePrincipal(name), 'residence'));
    const publisher = new RecordPublisher(
      connectKafka({
        brokers: [cluster.tls[0]!],
        clientId: 'dancu-cluster-source',
        tls: { caPem: ca, certPem: source.certificatePem, keyPem: source.privateKeyPem },
      }),
    );
    const value = JSON.stringify({ eventId: randomUUID() });
    try {
      await publisher.publish(sourceTopic('residence'), [{ key: '001090012345', value }]);
    } finally {
      await publisher.close();
    }
    const files = pkiFiles(cluster.pkiDir);
    const hub = connectKafka({
      brokers: [cluster.tls[2]!],
      clientId: 'dancu-cluster-hub',
      tls: { caPem: ca, certPem: await readFile(files.hubKafkaCertificate, 'utf8'), keyPem: await readFile(files.hubKafkaKey, 'utf8') },
    });
    const records = await readTopicToEnd(hub, sourceTopic('residence'));
    expect(records.map((record) => record.value?.toString())).toEqual([value]);
  });
});
