import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { simulateSourceRecords } from '../connectors/simulator/simulate-source.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { cliEnv, DANCU_BIN, prepareTopics, tapTopic, waitFor } from './harness.ts';

function toCsv(rows: Record<string, string>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | undefined) => `"${(value ?? '').replaceAll('"', '""')}"`;
  return `${[columns.join(','), ...rows.map((row) => columns.map((column) => cell(row[column])).join(','))].join('\n')}\n`;
}

describe('dancu import on the real Kafka', () => {
  it('R26: a CSV export of the residence register is published, bad rows are summarised by reason, and a second import publishes nothing again', async () => {
    await prepareTopics();
    const home = await mkdtemp(join(tmpdir(), 'dancu-import-'));
    const rows = simulateSourceRecords('residence', { seed: Math.floor(Math.random() * 1e9) + 1, citizens: 30, badShare: 0.15 });
    const file = join(home, 'cu-tru-export.csv');
    await writeFile(file, toCsv(rows));
    const tap = await tapTopic(sourceTopic('residence'));
    const env = cliEnv({ DANCU_HOME: home });
    const run = promisify(execFile);

    const first = await run(process.execPath, [DANCU_BIN, 'import', 'residence', file], { env });
    const summary = /accepted and published (\d+), rejected (\d+)/.exec(first.stdout);
    expect(summary, first.stdout).not.toBeNull();
    const [published, rejected] = [Number(summary![1]), Number(summary![2])];
    expect(published + rejected).toBe(rows.length);
    expect(rejected).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/rejected records and their reasons: .*rejects/);

    await waitFor('the imported events on the topic', async () => tap.records.length >= published);
    const second = await run(process.execPath, [DANCU_BIN, 'import', 'residence', file], { env });
    expect(second.stdout).toContain(`accepted and published 0`);
    expect(second.stdout).toContain(`skipped ${rows.length}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await tap.stop();
    expect(tap.records.length).toBe(published);
  });
});
