import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveCounts, type LiveRow, plainLines, tableLines } from './live-counts.ts';
import { LiveScreen, redraw } from './live-screen.ts';

function output(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  return { written, out: { isTTY, ...(columns ? { columns } : {}), write: (text: string) => written.push(text) } };
}

const rows: LiveRow[] = [
  { source: 'civil-status', published: 120, applied: 118, duplicates: 2, rejected: 1, lag: 0 },
  { source: 'residence', published: null, applied: null, duplicates: null, rejected: 0, lag: null },
];
const at = () => new Date('2026-11-30T08:15:42Z');

describe('the live view of dancu start', () => {
  let screen: LiveScreen | undefined;
  afterEach(() => screen?.stop()); // always give the console back

  it('redraws in place: the first draw just prints, each later one moves up over the lines drawn before and clears them', () => {
    expect(redraw(0, ['a', 'b'], 80)).toBe('a\nb\n');
    expect(redraw(2, ['a', 'b', 'c'], 80)).toBe('\x1b[2F\x1b[Ja\nb\nc\n');
    // A line wider than the terminal would wrap onto a second row the next redraw does not know of: it is cut.
    expect(redraw(0, ['x'.repeat(30)], 20)).toBe(`${'x'.repeat(18)}…\n`);
  });

  it('keeps what the Kafka client and the hub print out of the table on a terminal: in the log file, summarised in one line', () => {
    const { written, out } = output(true, 200);
    const logFile = join(mkdtempSync(join(tmpdir(), 'dancu-live-')), 'logs', 'dancu-start.log');
    screen = new LiveScreen(out, logFile, at);
    screen.start();
    screen.show(['table 1']);
    console.error('[kafka Connection] Connection error: read ECONNRESET');
    console.error('[kafka Connection] Connection error: read ECONNRESET');
    screen.show(['table 2']);
    expect(written).toEqual([
      'table 1\n',
      `\x1b[1F\x1b[Jtable 2\n2 log lines (Kafka client, hub) in ${logFile}; latest: [kafka Connection] Connection error: read ECONNRESET\n`,
    ]);
    expect(readFileSync(logFile, 'utf8')).toBe('2026-11-30T08:15:42.000Z [kafka Connection] Connection error: read ECONNRESET\n'.repeat(2));
    screen.note('the simulated population is fully published');
    expect(written.at(-1)).toBe('the simulated population is fully published\n');
    expect(written.at(-2)).toBe('\x1b[2F\x1b[J'); // the table and summary cleared first, drawn again below the note
    screen.stop();
  });

  it('prints plain lines with the time when stdout is not a terminal, never escape codes, and leaves stderr alone', () => {
    const { written, out } = output(false);
    const original = console.error;
    screen = new LiveScreen(out, '/nonexistent/never-written.log', at);
    screen.start();
    expect(console.error).toBe(original);
    screen.show(plainLines(rows, ['schema-violation 1']));
    expect(written).toEqual([
      '08:15:42 civil-status published=120 applied=118 duplicates=2 rejected=1 lag=0\n' +
        '08:15:42 residence published=- applied=- duplicates=- rejected=0 lag=-\n' +
        '08:15:42 hub rejects by reason: schema-violation 1\n',
    ]);
    expect(written.join('')).not.toContain('\x1b');
  });

  it('aligns the terminal table: sources left, figures right', () => {
    expect(tableLines(rows, [])).toEqual([
      'source        published  applied  duplicates  rejected  lag',
      'civil-status        120      118           2         1    0',
      'residence             -        -           -         0    -',
    ]);
  });

  it('draws per tick from the hub’s counts and lag: a table on a terminal, plain lines otherwise', async () => {
    const hub = {
      stats: {
        bySource: new Map([['civil-status', { received: 3, applied: 2, duplicates: 1, rejected: 0, changes: 2 }]]),
        rejectedByReason: new Map<string, number>(),
      },
      lag: async () => [{ topic: 'dancu.source.civil-status.v1', partition: 0, lag: 7 }],
    } as unknown as ConstructorParameters<typeof LiveCounts>[0]['hub'];
    const plain = output(false);
    await new LiveCounts({ hub, screen: new LiveScreen(plain.out, '/unused', at) }).tick();
    expect(plain.written[0]).toContain('08:15:42 civil-status published=- applied=2 duplicates=1 rejected=0 lag=7');
    const terminal = output(true, 120);
    const live = new LiveCounts({
      hub,
      screen: new LiveScreen(terminal.out, join(mkdtempSync(join(tmpdir(), 'dancu-live-')), 'x.log'), at),
    });
    live.start();
    await live.tick();
    await live.tick();
    live.stop();
    expect(terminal.written[0]!.split('\n')[0]).toMatch(/^source +published/);
    expect(terminal.written[1]!.startsWith('\x1b[5F\x1b[J')).toBe(true);
  });
});
