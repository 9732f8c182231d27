// Prints, from vitest's JSON report, every test that did not pass with the first lines of its error,
// so that the end of a CI log (often all that is kept) names what failed.
// Usage: node .ci/print-failures.mjs test-artifacts/vitest-results.json
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const reportPath = process.argv[2] ?? 'test-artifacts/vitest-results.json';
if (!existsSync(reportPath)) {
  console.log(`(no test report at ${reportPath})`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const firstLines = (text, count) =>
  text
    .split('\n')
    .slice(0, count)
    .map((line) => `      ${line}`)
    .join('\n');
let failed = 0;
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name);
  const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
  if (file.status === 'failed' && failedTests.length === 0) {
    failed += 1;
    console.log(`  ${name}: the file failed outside any test`);
    if (file.message) console.log(firstLines(file.message, 8));
  }
  for (const test of failedTests) {
    failed += 1;
    console.log(`  ${name} > ${test.fullName}`);
    for (const message of test.failureMessages ?? []) console.log(firstLines(message, 8));
  }
}
console.log(failed === 0 ? '  none' : `  ${failed} failed`);
