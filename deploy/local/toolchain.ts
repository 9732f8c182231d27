// The local stack builds on tools we do not ship: Java and Maven for Kafka, Go for FerretDB.
// When one is missing, say exactly what to install, and that an existing server is just as good.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './stack-error.ts';

export type Tool = 'java' | 'mvn' | 'go';

const INSTALL: Record<Tool, string> = {
  java: 'Java 17 or newer (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`)',
  mvn: 'Maven (Debian/Ubuntu: `apt-get install maven`)',
  go: 'Go 1.24 or newer from https://go.dev/dl/ (distribution packages are usually too old)',
};

const INSTEAD: Record<Tool, string> = {
  java: 'set KAFKA_BROKERS=host:port to use a Kafka you already run',
  mvn: 'set KAFKA_BROKERS=host:port to use a Kafka you already run',
  go: 'set MONGODB_URI=mongodb://host:port/ to use a MongoDB-compatible server you already run',
};

/** The absolute path of `tool` on PATH, or a StackError that says how to get it (or what else would do). */
export function requireTool(tool: Tool, purpose: string, instead: string = INSTEAD[tool]): string {
  const found = findOnPath(tool);
  if (!found) {
    throw new StackError(
      'tool-missing',
      `\`${tool}\` is needed to ${purpose} but is not on PATH. Install ${INSTALL[tool]}, or ${instead}.`,
      false,
    );
  }
  if (tool === 'java') requireJava17(found);
  return found;
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Kafka 4 refuses to start on anything older than Java 17, with a much less friendly message. */
function requireJava17(java: string): void {
  const { stderr = '', stdout = '' } = spawnSync(java, ['-version'], { encoding: 'utf8' });
  // `openjdk version "17.0.15"`, `java version "1.8.0_402"`, `openjdk version "21"`
  const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
  if (!match) return; // an unusual JVM; let Kafka itself judge it
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < 17) {
    throw new StackError(
      'tool-missing',
      `Kafka 4 needs Java 17 or newer, but \`${java}\` is Java ${major}. ` +
        `Install ${INSTALL.java} and put it first on PATH, or ${INSTEAD.java}.`,
      false,
    );
  }
}
