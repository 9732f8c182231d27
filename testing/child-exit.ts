// When a child process has exited and its output has drained: 'exit' can come before the last
// lines a child wrote (such as what a cut stop was waiting on), 'close' after them. A grandchild
// that kept the pipes open is not waited for past `drainMs`.
import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited (Date.now()). */
  at: number;
}

export function childExit(child: ChildProcess, drainMs = 2_000): Promise<ChildExit> {
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      const exit = { code, signal, at: Date.now() };
      const drained = setTimeout(() => resolve(exit), drainMs);
      child.once('close', () => {
        clearTimeout(drained);
        resolve(exit);
      });
    }),
  );
}
