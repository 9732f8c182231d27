// A single-node Kafka of the drill's own — its own ports and data directory, from the local
// stack's template (deploy/local/kafka/server.properties) — so a drill can freeze or kill a broker
// without touching the one every other process shares.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runCommand } from '../deploy/local/command.ts';
import { ensureKafkaJars, kafkaJava } from '../deploy/local/kafka-dist.ts';
import { probeKafka } from '../deploy/local/kafka-broker.ts';
import { KAFKA_DEPLOY_DIR } from '../deploy/local/locations.ts';
import { freePort } from './hub-child.ts';

export class PrivateKafka {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  static async start(log: (line: string) => void = () => {}): Promise<PrivateKafka> {
    const libsDir = await ensureKafkaJars(log);
    const dir = await mkdtemp(join(tmpdir(), 'dancu-drill-kafka-'));
    const [port, controller] = [await freePort(), await freePort()];
    const values: Record<string, string> = {
      brokerAddress: `127.0.0.1:${port}`,
      controllerAddress: `127.0.0.1:${controller}`,
      dataDir: join(dir, 'data'),
    };
    const template = await readFile(join(KAFKA_DEPLOY_DIR, 'server.properties'), 'utf8');
    const configFile = join(dir, 'server.properties');
    await writeFile(configFile, template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? ''));
    const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
    const format = kafkaJava(libsDir, 'kafka.tools.StorageTool', ['format', '--standalone', '--cluster-id', clusterId, '--config', configFile], { logLevel: 'WARN' });
    await runCommand(format.command, format.args, { what: "Formatting the drill's Kafka storage", failure: 'start-failed' });
    const java = kafkaJava(libsDir, 'kafka.Kafka', [configFile], { logLevel: 'WARN', jvmArgs: ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC'] });
    const kafka = new PrivateKafka(dir, port);
    kafka.process = spawn(java.command, java.args, { stdio: 'ignore', cwd: dir });
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        await probeKafka(kafka.brokers);
        await warmUp(kafka.brokers);
        return kafka;
      } catch (error) {
        if (kafka.process.exitCode !== null) throw new Error(`the drill's Kafka exited (${kafka.process.exitCode})`);
        if (Date.now() > deadline) throw new Error(`the drill's Kafka did not answer on ${kafka.brokers[0]}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** SIGSTOP: connections stay open and nothing answers — Kafka "down" as a client sees it. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async remove(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A fresh broker answers "coordinator loading" to the first group request while it creates its
 * internal topics (as deploy/local/kafka-broker.ts warms the shared one): ask until it answers.
 */
async function warmUp(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'dancu-drill-warm-up', brokers, retry: { retries: 10, initialRetryTime: 300 }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(['dancu-drill-warm-up']);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  await producer.disconnect();
}
