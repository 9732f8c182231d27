// The local Kafka: one KRaft process that is broker and controller at once, configured from
// deploy/local/kafka/server.properties and formatted on first start.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runCommand } from './command.ts';
import { ensureKafkaJars, kafkaJava } from './kafka-dist.ts';
import { ADDRESSES, KAFKA_DEPLOY_DIR, KAFKA_VERSION, stackLocations } from './locations.ts';
import type { LocalService } from './service.ts';

/** A group nobody uses: describing it makes the group coordinator load before real consumers arrive. */
const WARM_UP_GROUP = 'dancu-stack-warm-up';

export function kafkaService(): LocalService {
  const { homeDir, kafka: where } = stackLocations();
  return {
    name: 'kafka',
    title: `Kafka ${KAFKA_VERSION}`,
    address: ADDRESSES.kafkaBroker,
    listensOn: [ADDRESSES.kafkaBroker, ADDRESSES.kafkaController],
    dataDir: where.dataDir,
    logFile: where.logFile,
    pidFile: where.pidFile,
    marker: where.configFile,
    // A controlled shutdown flushes and closes every partition; give it time before SIGKILL.
    stopGraceMs: 30_000,
    readyTimeoutMs: 120_000,
    async prepare(log) {
      const libsDir = await ensureKafkaJars(log);
      writeServerConfig(where.configFile, where.dataDir);
      await formatStorageOnce(libsDir, where.configFile, where.dataDir, log);
      const java = kafkaJava(libsDir, 'kafka.Kafka', [where.configFile], {
        logLevel: 'INFO',
        // Plenty for development loads, and leaves the rest of a small machine to the hub and tests.
        jvmArgs: ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'],
      });
      return { ...java, cwd: homeDir, logFile: where.logFile, pidFile: where.pidFile };
    },
    probe: () => probeKafka([ADDRESSES.kafkaBroker]),
    warmUp: () => warmUpKafka([ADDRESSES.kafkaBroker]),
  };
}

/** Rewritten on every start, so a change to the template takes effect with the next `up`. */
function writeServerConfig(configFile: string, dataDir: string): void {
  const values: Record<string, string> = {
    brokerAddress: ADDRESSES.kafkaBroker,
    controllerAddress: ADDRESSES.kafkaController,
    dataDir,
  };
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
 * KRaft refuses to start on an unformatted directory. Formatting writes the cluster id and the
 * initial controller (this node, `--standalone`); it happens once, the data then carries it.
 */
async function formatStorageOnce(
  libsDir: string,
  configFile: string,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  mkdirSync(dataDir, { recursive: true });
  const clusterId = newClusterId();
  log(`Formatting Kafka storage in ${dataDir} (cluster id ${clusterId})…`);
  const format = kafkaJava(
    libsDir,
    'kafka.tools.StorageTool',
    ['format', '--standalone', '--ignore-formatted', '--cluster-id', clusterId, '--config', configFile],
    { logLevel: 'WARN' },
  );
  await runCommand(format.command, format.args, { what: 'Formatting the Kafka storage', failure: 'start-failed' });
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
