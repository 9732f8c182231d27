// A server process that outlives the command which started it: detached, output appended to a
// log file, its pid in a pid file. A pid file is trusted only while the process it names is
// alive and still has our command line, since pids are reused after a reboot or a crash.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './stack-error.ts';

export interface DaemonSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

/**
 * The pid in `pidFile` if that process is alive and its command line contains `marker`
 * (a path unique to this DANCU_HOME). A pid file naming anything else is stale and is removed.
 */
export function livePid(pidFile: string, marker: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  if (isOurs(pid, marker)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

/** Starts the process in its own session so that closing the terminal or the CLI leaves it running. */
export function startDaemon(spec: DaemonSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  // One previous log is kept beside the new one: enough to see why the last run ended.
  if (existsSync(spec.logFile)) renameSync(spec.logFile, `${spec.logFile}.1`);
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.on('error', () => {}); // reported below through the missing pid
    if (child.pid === undefined) {
      throw new StackError('start-failed', `Could not start \`${spec.command}\`; is it installed and executable?`, false);
    }
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/** SIGTERM, so the server can close its files cleanly; SIGKILL if it is still there after `graceMs`. */
export async function stopDaemon(pidFile: string, marker: string, graceMs: number): Promise<StopOutcome> {
  const pid = livePid(pidFile, marker);
  if (pid === undefined) return 'not-running';
  signal(pid, 'SIGTERM');
  let outcome: StopOutcome = 'stopped';
  if (!(await exits(pid, marker, graceMs))) {
    signal(pid, 'SIGKILL');
    outcome = 'killed';
    if (!(await exits(pid, marker, 10_000))) {
      throw new StackError('stop-failed', `Process ${pid} survived SIGKILL; check it with \`ps -p ${pid}\`.`, true);
    }
  }
  rmSync(pidFile, { force: true });
  return outcome;
}

/** Alive and still the process we started (a zombie has an empty command line, so it counts as gone). */
export function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true; // no procfs (macOS): being alive must do
  try {
    return readFileSync(cmdline, 'utf8').split('\0').join(' ').includes(marker);
  } catch {
    return false;
  }
}

async function exits(pid: number, marker: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isOurs(pid, marker)) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Signal 0 tests for existence; EPERM means it exists but belongs to another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a pid or lock file, or undefined if there is none (or only part of one). */
export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
