import { defineConfig } from 'vitest/config';

// Two projects: unit tests sit beside the code they test and need no server;
// integration tests under test/ run on the real Kafka and FerretDB (started by test/global-setup.ts).
export default defineConfig({
  test: {
    // The JSON report is what `npm run traceability -- --results …` reads (CI checks every obligation has a passing test).
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{cli,connectors,errors,hub,schemas,kafka,deploy,telemetry,traceability}/**/*.test.ts'],
          // Some units simulate thousands of records; on a loaded 2-core machine 5 s is not enough.
          // No test asserts a duration: this bound only stops a hung one.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // One Kafka and one store for the whole suite: files run one after another.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
