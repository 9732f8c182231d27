// Runs a tool to completion (mvn, go, Kafka's storage and console tools). Output is kept, not
// shown, so a first-use fetch stays quiet when it works and explains itself when it does not.
import { spawn } from 'node:child_process';
import { StackError, type StackErrorCode } from './stack-error.ts';

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed. Without it stdin is empty. */
  input?: string;
  /** What failed, in words: "fetching the Kafka jars with Maven". */
  what: string;
  /** The error code if the command exits non-zero. */
  failure: StackErrorCode;
}

const TAIL_LINES = 40;

/** Resolves with stdout; rejects with the last lines of stdout+stderr when the exit code is not 0. */
export function runCommand(command: string, args: string[], options: CommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const combined: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      combined.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => combined.push(chunk));
    child.on('error', (error) =>
      reject(new StackError(options.failure, `${options.what} could not start \`${command}\`: ${error.message}`, false)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const tail = lastLines(Buffer.concat(combined).toString('utf8'), TAIL_LINES);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(
        new StackError(
          options.failure,
          `${options.what} failed: \`${command} ${args.join(' ')}\` ${how}.${tail ? `\nLast output:\n${tail}` : ''}`,
          // Network hiccups during a fetch or build are worth one more try; the caller decides.
          options.failure === 'fetch-failed' || options.failure === 'build-failed',
        ),
      );
    });
    // A command that exits before reading its input closes the pipe; that is its exit code's business.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
