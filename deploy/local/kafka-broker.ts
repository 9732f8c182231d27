// The local Kafka: one KRaft process per node, each broker and controller at once, configured from
// deploy/local/kafka/server.properties and formatted on first start. One node by default; three
// (`dancu stack up --brokers 3`) form a real quorum with three copies of every topic.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaCertificates } from '../../hub/pki/kafka-certificates.ts';
import { applyAccessRules, hubAccessRules, PRINCIPAL_MAPPING_RULES } from '../../kafka/access.ts';
import { replicationFor } from '../../kafka/topics.ts';
import { runCommand } from './command.ts';
import { ensureKafkaJars, kafkaJava } from './kafka-dist.ts';
import {
  KAFKA_DEPLOY_DIR,
  KAFKA_VERSION,
  type KafkaClusterSize,
  kafkaNodeAddresses,
  kafkaNodeLocations,
  stackLocations,
} from './locations.ts';
import type { LocalService } from './service.ts';

/** A group nobody uses: describing it makes the group coordinator load before real consumers arrive. */
const WARM_UP_GROUP = 'dancu-stack-warm-up';

/** Every node of a cluster of `size`, as services the stack starts side by side (a quorum needs its majority up). */
export function kafkaServices(size: KafkaClusterSize): LocalService[] {
  return Array.from({ length: size }, (_, index) => kafkaNode(size, index + 1));
}

/** The nodes prepare side by side; they share one PKI, made (or renewed) once. */
const certificatesMade = new Map<string, ReturnType<typeof ensureKafkaCertificates>>();

function brokerCertificates(pkiDir: string, log: (line: string) => void): ReturnType<typeof ensureKafkaCertificates> {
  let made = certificatesMade.get(pkiDir);
  if (!made) {
    made = ensureKafkaCertificates(pkiDir, log);
    certificatesMade.set(pkiDir, made);
    made.catch(() => certificatesMade.delete(pkiDir));
  }
  return made;
}

/** The single-node stack's Kafka. */
export function kafkaService(): LocalService {
  return kafkaNode(1, 1);
}

function kafkaNode(size: KafkaClusterSize, node: number): LocalService {
  const { homeDir, pkiDir } = stackLocations();
  const where = kafkaNodeLocations(size, node);
  const addresses = kafkaNodeAddresses(node);
  return {
    name: 'kafka',
    title: size === 1 ? `Kafka ${KAFKA_VERSION}` : `Kafka ${KAFKA_VERSION} node ${node} of ${size}`,
    address: addresses.plaintext,
    listensOn: [addresses.plaintext, addresses.controller, addresses.tls],
    dataDir: where.dataDir,
    logFile: where.logFile,
    pidFile: where.pidFile,
    marker: where.configFile,
    // A controlled shutdown flushes and closes every partition; give it time before SIGKILL.
    stopGraceMs: 30_000,
    readyTimeoutMs: 120_000,
    async prepare(log) {
      const libsDir = await ensureKafkaJars(log);
      const pki = await brokerCertificates(pkiDir, log);
      writeServerConfig(where.configFile, {
        nodeId: String(node),
        quorum: quorumLine(size),
        plaintextAddress: addresses.plaintext,
        controllerAddress: addresses.controller,
        tlsAddress: addresses.tls,
        keystore: pki.kafkaBrokerKeystore,
        truststore: pki.caCertificate,
        principalMappingRules: PRINCIPAL_MAPPING_RULES,
        replicationFactor: String(replicationFor(size).replicationFactor),
        minInsyncReplicas: String(replicationFor(size).minInsyncReplicas),
        dataDir: where.dataDir,
      });
      await formatStorageOnce(libsDir, where.configFile, where.dataDir, size, log);
      const java = kafkaJava(libsDir, 'kafka.Kafka', [where.configFile], {
        logLevel: 'INFO',
        // Plenty for development loads, and leaves the rest of a small machine to the hub and tests.
        jvmArgs:
          size === 1
            ? ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError']
            : ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'],
      });
      return { ...java, cwd: homeDir, logFile: where.logFile, pidFile: where.pidFile };
    },
    probe: () => probeKafka([addresses.plaintext]),
    warmUp: async () => {
      await warmUpKafka([addresses.plaintext]);
      // Through the plaintext listener, whose ANONYMOUS principal is the stack's super user.
      await applyAccessRules(quietClient([addresses.plaintext], 10), hubAccessRules());
    },
  };
}

/**
 * One node names itself as the quorum's bootstrap (formatted `--standalone`, as the stack always
 * did); three nodes are a static quorum of three voters, so formatting needs no controller running.
 */
function quorumLine(size: KafkaClusterSize): string {
  if (size === 1) return `controller.quorum.bootstrap.servers=${kafkaNodeAddresses(1).controller}`;
  const voters = Array.from({ length: size }, (_, index) => `${index + 1}@${kafkaNodeAddresses(index + 1).controller}`);
  return `controller.quorum.voters=${voters.join(',')}`;
}

/** Rewritten on every start, so a change to the template takes effect with the next `up`. */
function writeServerConfig(configFile: string, values: Record<string, string>): void {
  const template = readFileSync(join(KAFKA_DEPLOY_DIR, 'server.properties'), 'utf8');
  const config = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`deploy/local/kafka/server.properties uses unknown ${placeholder}.`);
    return value;
  });
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, config);
}

/**
 * KRaft refuses to start on an unformatted directory. Formatting writes the cluster id and, for one
 * node, the initial controller (this node, `--standalone`); it happens once, the data then carries
 * it. The nodes of a cluster share one id, kept beside their data.
 */
async function formatStorageOnce(
  libsDir: string,
  configFile: string,
  dataDir: string,
  size: KafkaClusterSize,
  log: (line: string) => void,
): Promise<void> {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  mkdirSync(dataDir, { recursive: true });
  const clusterId = size === 1 ? newClusterId() : sharedClusterId(join(dirname(dataDir), 'cluster-id'));
  log(`Formatting Kafka storage in ${dataDir} (cluster id ${clusterId})…`);
  const format = kafkaJava(
    libsDir,
    'kafka.tools.StorageTool',
    ['format', ...(size === 1 ? ['--standalone'] : []), '--ignore-formatted', '--cluster-id', clusterId, '--config', configFile],
    { logLevel: 'WARN' },
  );
  await runCommand(format.command, format.args, { what: 'Formatting the Kafka storage', failure: 'start-failed' });
}

/** The nodes are prepared side by side: the first to get here writes the id, exclusively, and all read it. */
function sharedClusterId(file: string): string {
  try {
    writeFileSync(file, newClusterId(), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64; Kafka never makes one starting with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function quietClient(brokers: string[], retries: number): Kafka {
  return new Kafka({
    clientId: 'dancu-stack',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
}

/** A metadata round trip: the broker is up, has a controller, and speaks a protocol kafkajs knows. */
export async function probeKafka(brokers: string[]): Promise<void> {
  const admin = quietClient(brokers, 0).admin();
  await admin.connect();
  try {
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/**
 * On a fresh broker the first consumer group join and the first idempotent producer are
 * answered with "coordinator is loading" while Kafka creates its internal topics; kafkajs
 * recovers, but only after logging a consumer crash. Doing both once here keeps that out of
 * the hub's logs and out of test timings.
 */
async function warmUpKafka(brokers: string[]): Promise<void> {
  const kafka = quietClient(brokers, 10);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups([WARM_UP_GROUP]);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  await producer.disconnect();
}
