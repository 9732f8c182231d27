// `up` and `down` change shared processes and files, and several engineers (or a test run and
// a terminal) may call them at once. A lock file holding the owner's pid serialises them; a lock
// left behind by a process that died is taken over.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, readPid } from './daemon.ts';
import { StackError } from './stack-error.ts';

/** Long enough for another process's first-use Kafka fetch and FerretDB build to finish. */
const WAIT_LIMIT_MS = 20 * 60_000;

export async function withStackLock<T>(lockFile: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let toldWaiting = false;
  for (;;) {
    if (tryAcquire(lockFile)) break;
    const holder = readPid(lockFile);
    if (holder === undefined) {
      // Released just now, or created but not yet written: look again before calling it garbage.
      await sleep(100);
      if (readPid(lockFile) === undefined) rmSync(lockFile, { force: true });
      continue;
    }
    if (!isAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new StackError(
        'busy',
        `Another \`dancu stack\` command (pid ${holder}) has held ${lockFile} for over 20 minutes. ` +
          `If it is stuck, stop it (\`kill ${holder}\`) and try again.`,
        true,
      );
    }
    if (!toldWaiting) {
      log(`Waiting for another \`dancu stack\` command (pid ${holder}) to finish…`);
      toldWaiting = true;
    }
    await sleep(500);
  }
  try {
    return await work();
  } finally {
    if (readPid(lockFile) === process.pid) rmSync(lockFile, { force: true });
  }
}

function tryAcquire(lockFile: string): boolean {
  try {
    writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
