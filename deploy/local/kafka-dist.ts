// Kafka is not installed, only its jars: Maven resolves them from Maven Central once into the
// cache, and every Kafka program (the broker, the storage and console tools) runs from there.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCommand } from './command.ts';
import { KAFKA_DEPLOY_DIR, KAFKA_VERSION, stackLocations } from './locations.ts';
import { StackError } from './stack-error.ts';
import { requireTool } from './toolchain.ts';

const POM = join(KAFKA_DEPLOY_DIR, 'pom.xml');
const LOG4J2_CONFIG = join(KAFKA_DEPLOY_DIR, 'log4j2.yaml');

/** The directory of Kafka jars, fetched first if missing or if pom.xml changed since. */
export async function ensureKafkaJars(log: (line: string) => void): Promise<string> {
  const { libsDir } = stackLocations().kafka;
  // The stamp is the pom's hash, so bumping a version in pom.xml refetches instead of running stale jars.
  const stampFile = join(dirname(libsDir), 'pom.sha256');
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex');
  if (existsSync(libsDir) && readIfExists(stampFile) === pomHash) return libsDir;

  const purpose = 'fetch the Kafka jars from Maven Central';
  requireTool('java', purpose);
  const mvn = requireTool('mvn', purpose);
  log(`Fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${libsDir} (first use only, about a minute)…`);
  const started = Date.now();
  // Into a private directory first: a fetch that dies halfway must not look like a complete one.
  const partial = `${libsDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(libsDir), { recursive: true });
  await runCommand(mvn, ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`], {
    what: 'Fetching the Kafka jars with Maven',
    failure: 'fetch-failed',
  });
  if (!existsSync(join(partial, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new StackError('fetch-failed', `Maven finished but ${partial} has no kafka_2.13-${KAFKA_VERSION}.jar; check ${POM}.`, false);
  }
  rmSync(libsDir, { recursive: true, force: true });
  renameSync(partial, libsDir);
  writeFileSync(stampFile, pomHash);
  log(`Fetched the Kafka jars in ${Math.round((Date.now() - started) / 1000)} s.`);
  return libsDir;
}

export interface JavaInvocation {
  command: string;
  args: string[];
}

/**
 * How to run one of Kafka's main classes from the cached jars. `logLevel` WARN keeps the tools'
 * output to what matters; the broker logs at INFO.
 */
export function kafkaJava(
  libsDir: string,
  mainClass: string,
  args: string[],
  options: { logLevel: 'INFO' | 'WARN'; jvmArgs?: string[] },
): JavaInvocation {
  return {
    command: requireTool('java', `run Kafka (${mainClass})`),
    args: [
      ...(options.jvmArgs ?? []),
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${LOG4J2_CONFIG}`,
      `-Ddancu.kafka.logLevel=${options.logLevel}`,
      // java expands the trailing * itself; no shell is involved.
      '-cp',
      join(libsDir, '*'),
      mainClass,
      ...args,
    ],
  };
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
