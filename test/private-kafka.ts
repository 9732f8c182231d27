// A Kafka of a test's own, started with `dancu stack up` (so the command itself is what is tested)
// in a private DANCU_HOME on free loopback ports, never the shared broker: tests that need the TLS
// listener, ACLs or three nodes use it, and stop it with `dancu stack down` when done.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafkaNodeAddresses, REPO_ROOT, type KafkaClusterSize } from '../deploy/local/locations.ts';
import { testEndpoints } from './endpoints.ts';
import { DANCU_BIN } from './harness.ts';
import { freeKafkaBasePort } from '../testing/private-kafka.ts';

const run = promisify(execFile);

export interface PrivateKafka {
  home: string;
  pkiDir: string;
  /** The environment of a `dancu` process using this Kafka (and the shared store). */
  env: NodeJS.ProcessEnv;
  plaintext: string[];
  tls: string[];
  /** What `dancu stack up` printed. */
  output: string;
  stop(): Promise<void>;
}

export async function startPrivateKafka(brokers: KafkaClusterSize): Promise<PrivateKafka> {
  const home = await mkdtemp(join(tmpdir(), 'dancu-private-kafka-'));
  const port = await freeKafkaBasePort(brokers);
  const { KAFKA_BROKERS: _shared, DANCU_PKI_DIR: _pki, KAFKA_TLS_CA: _ca, KAFKA_TLS_CERT: _cert, KAFKA_TLS_KEY: _key, ...inherited } = process.env;
  // MONGODB_URI names the shared store, so `stack up` starts Kafka only.
  const env = { ...inherited, DANCU_HOME: home, DANCU_KAFKA_PORT: String(port), MONGODB_URI: testEndpoints().mongodbUri };
  const nodes = Array.from({ length: brokers }, (_, index) => kafkaNodeAddresses(index + 1, env));
  const stop = async () => {
    await run(process.execPath, [DANCU_BIN, 'stack', 'down'], { cwd: REPO_ROOT, env });
    await rm(home, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(process.execPath, [DANCU_BIN, 'stack', 'up', '--brokers', String(brokers)], { cwd: REPO_ROOT, env });
    return {
      home,
      pkiDir: join(home, 'pki'),
      env: { ...env, KAFKA_BROKERS: nodes.map((node) => node.plaintext).join(',') },
      plaintext: nodes.map((node) => node.plaintext),
      tls: nodes.map((node) => node.tls),
      output: stdout,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
