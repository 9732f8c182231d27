// A FerretDB of the drill's own — its own port and data directory — built like the local stack's
// (deploy/local/ferretdb.ts), so a drill can stop and restart the store without touching the one
// every other process shares.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMongodb } from '../deploy/local/ferretdb.ts';
import { ensureFerretdbBinary } from '../deploy/local/ferretdb-build.ts';
import { freePort } from './hub-child.ts';

export class PrivateFerretdb {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(log: (line: string) => void = () => {}): Promise<PrivateFerretdb> {
    const binary = await ensureFerretdbBinary(log);
    const store = new PrivateFerretdb(binary, await mkdtemp(join(tmpdir(), 'dancu-drill-ferretdb-')), await freePort());
    await store.start();
    return store;
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** Starts it (again) on the same port and data, and waits until it answers. */
  async start(timeoutMs = 30_000): Promise<void> {
    const sqliteUrl = `file:${this.dir}/data/?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)`;
    await import('node:fs/promises').then((fs) => fs.mkdir(join(this.dir, 'data'), { recursive: true }));
    this.process = spawn(
      this.binary,
      [
        '--handler=sqlite',
        `--sqlite-url=${sqliteUrl}`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${this.dir}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=error',
      ],
      { stdio: 'ignore', env: { ...process.env, DO_NOT_TRACK: '1' } },
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await probeMongodb(this.uri);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the drill's FerretDB did not answer on ${this.uri}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops it with the signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}
