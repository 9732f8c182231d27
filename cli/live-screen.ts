// Where `dancu start` and `dancu hub` show their live table. On a terminal the table is redrawn in
// place; anything else the process prints meanwhile — kafkajs' log lines, the hub's retry notices —
// would land between two draws and make the table scroll, so while the screen is live those lines
// go to a log file instead, and the screen says once, in one line, how many there were, the latest,
// and where to read them. When stdout is not a terminal (a pipe, a file, CI, a container) each draw
// is plain lines with the time, and log lines stay on stderr where log collectors expect them.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ScreenOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The escape sequence that replaces the `previous` lines last drawn with `lines` (none before the first draw). */
export function redraw(previous: number, lines: readonly string[], columns: number | undefined): string {
  // A line wider than the terminal wraps and would occupy two rows: cut it, so the count stays true.
  const width = columns && columns > 1 ? columns - 1 : undefined;
  const fitted = lines.map((line) => (width && line.length > width ? `${line.slice(0, width - 1)}…` : line));
  const back = previous > 0 ? `\x1b[${previous}F\x1b[J` : '';
  return `${back}${fitted.join('\n')}\n`;
}

/** A one-line summary of the log lines kept out of the screen, or undefined when there were none. */
export function logSummary(count: number, latest: string | undefined, file: string): string | undefined {
  if (count === 0) return undefined;
  return `${count} log line${count === 1 ? '' : 's'} (Kafka client, hub) in ${file}; latest: ${latest ?? ''}`;
}

export class LiveScreen {
  private drawn = 0;
  private live = false;
  private captured = 0;
  private latest: string | undefined;
  private readonly saved: Pick<Console, 'log' | 'error' | 'warn' | 'info'>;

  constructor(
    private readonly out: ScreenOutput,
    /** Where lines printed while the screen is live go. */
    readonly logFile: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.saved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  }

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** On a terminal, from now until `stop`, console output goes to the log file, counted for the summary line. */
  start(): void {
    if (this.live || !this.tty) return;
    this.live = true;
    mkdirSync(dirname(this.logFile), { recursive: true });
    const keep = (...parts: unknown[]): void =>
      this.keep(parts.map((part) => (part instanceof Error ? (part.stack ?? part.message) : String(part))).join(' '));
    Object.assign(console, { log: keep, error: keep, warn: keep, info: keep });
  }

  /** Gives the console back; the next `show` prints plainly below what is on screen. */
  stop(): void {
    if (!this.live) return;
    this.live = false;
    Object.assign(console, this.saved);
    this.drawn = 0;
  }

  /** Draws the table (with the log summary under it) in place on a live terminal; elsewhere as plain lines with the time. */
  show(lines: readonly string[]): void {
    if (this.live) {
      const summary = logSummary(this.captured, this.latest, this.logFile);
      const all = summary ? [...lines, summary] : [...lines];
      this.out.write(redraw(this.drawn, all, this.out.columns));
      this.drawn = all.length;
    } else {
      const at = this.clock().toISOString().slice(11, 19);
      this.out.write(`${lines.map((line) => `${at} ${line}`).join('\n')}\n`);
    }
  }

  /** A line for the person watching (not noise): printed plainly now, the table redrawn below it. */
  note(line: string): void {
    if (this.live && this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[J`);
    this.out.write(`${line}\n`);
    this.drawn = 0;
  }

  private keep(line: string): void {
    this.captured += 1;
    this.latest = line.split('\n')[0]!.slice(0, 200);
    try {
      appendFileSync(this.logFile, `${this.clock().toISOString()} ${line}\n`);
    } catch {
      // The log file cannot be written (disk full, permissions): the summary line still counts it.
    }
  }
}
