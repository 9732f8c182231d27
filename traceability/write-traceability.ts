// npm run traceability [-- --results <vitest json>] [--check] [--out <file>]
//
// Without --results it runs the whole test suite (`vitest run`, needing the local stack like
// `npm test`) with vitest's JSON reporter beside the default one, then writes TRACEABILITY.md from
// that run. With --results it reads a JSON report written earlier (CI: `npx vitest run
// --reporter=default --reporter=json --outputFile=test-artifacts/vitest-results.json`).
// --check exits 1 when an obligation has no passing test, naming them; a failing test run exits
// non-zero as well, after the file is written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildMatrix, renderMarkdown, type TestRunResults, unproven } from './traceability.ts';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

const { values } = parseArgs({
  options: {
    results: { type: 'string' },
    check: { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(ROOT, 'TRACEABILITY.md') },
  },
});

let testsFailed = false;
let resultsFile = values.results;
if (resultsFile === undefined) {
  resultsFile = resolve(ROOT, 'test-artifacts', 'vitest-results.json');
  mkdirSync(dirname(resultsFile), { recursive: true });
  const run = spawnSync('npx', ['--no-install', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${resultsFile}`], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  testsFailed = run.status !== 0;
}

let results: TestRunResults;
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8')) as TestRunResults;
  if (!Array.isArray(results.testResults)) throw new Error('it has no testResults: is it the output of vitest --reporter=json?');
} catch (error) {
  console.error(`cannot read the test results ${resultsFile}: ${(error as Error).message}`);
  process.exit(2);
}

const matrix = buildMatrix(results, ROOT);
const at = results.startTime ? new Date(results.startTime) : new Date();
writeFileSync(values.out, renderMarkdown(matrix, { at, command: 'npm run traceability' }));
const missing = unproven(matrix);
console.log(`${values.out}: ${matrix.rows.length - missing.length} of ${matrix.rows.length} obligations have a passing test`);
if (missing.length > 0) console.log(`no passing test: ${missing.join(', ')}`);
for (const { id, test } of matrix.unknown)
  console.log(`warning: ${test.file} › ${test.title.slice(0, 80)} names ${id}, which is no obligation`);
if (values.check && missing.length > 0) process.exit(1);
if (testsFailed || matrix.failed > 0) process.exit(1);
