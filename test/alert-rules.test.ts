// The alerting rules in deploy/prometheus/: unit-tested by Prometheus' own promtool (built with Go
// by the test setup, or by `dancu stack tools`), and held to the metrics a real hub process exports.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type HubProcess, startHubProcess } from '../cli/hub-process.ts';
import { REPO_ROOT } from '../deploy/local/locations.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { startGroupAtEnd } from '../kafka/group-offsets.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { SOURCES } from '../schemas/sources.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { testEndpoints } from './endpoints.ts';
import { prepareTopics, testKafka, uniqueName } from './harness.ts';

const run = promisify(execFile);
const RULES_DIR = join(REPO_ROOT, 'deploy', 'prometheus');
const ruleFiles = () => readdirSync(RULES_DIR).filter((file) => file.endsWith('.yml') && !file.endsWith('.test.yml'));
const testFiles = () => readdirSync(RULES_DIR).filter((file) => file.endsWith('.test.yml'));

/** Every metric name a file mentions: our metrics all start with dancu_. */
function metricNames(text: string): Set<string> {
  return new Set(text.match(/\bdancu_[a-z0-9_]+\b/g) ?? []);
}

describe('the Prometheus alerting rules', () => {
  it('R26: pass their unit tests in `promtool test rules` (each alert firing, and quiet where it should be)', async () => {
    expect(testFiles().length).toBeGreaterThan(0);
    const { stdout, stderr } = await run(inject('promtool'), ['test', 'rules', ...testFiles()], { cwd: RULES_DIR });
    expect(`${stdout}${stderr}`).toContain('SUCCESS');
    for (const file of ruleFiles()) {
      const checked = await run(inject('promtool'), ['check', 'rules', file], { cwd: RULES_DIR });
      expect(checked.stdout).toContain('SUCCESS');
    }
  });

  it('R26: cover lag, connectors, dead letters, the journal, quota and certificates', () => {
    const alerts = ruleFiles().flatMap((file) =>
      [...readFileSync(join(RULES_DIR, file), 'utf8').matchAll(/^\s*- alert: (\S+)/gm)].map((match) => match[1]),
    );
    expect(alerts).toEqual(
      expect.arrayContaining([
        'DancuIngestLagGrowing',
        'DancuConnectorDown',
        'DancuDeadLetterRateHigh',
        'DancuJournalAppendFailing',
        'DancuQuotaExhausted',
        'DancuCertificateExpiresSoon',
      ]),
    );
  });

  describe('against a real hub process', () => {
    let hub: HubProcess;
    let pkiDir: string;
    const saved = { ...process.env };

    beforeAll(async () => {
      const { kafkaBrokers, mongodbUri } = testEndpoints();
      Object.assign(process.env, {
        KAFKA_BROKERS: kafkaBrokers.join(','),
        MONGODB_URI: mongodbUri,
        DANCU_DB: uniqueName('dancu_alerts'),
        OTEL_SDK_DISABLED: 'true',
      });
      pkiDir = await mkdtemp(join(tmpdir(), 'dancu-alerts-pki-'));
      // A group of its own, starting at the end: the hub must not ingest what earlier runs left on the topics.
      const groupId = uniqueName('test-alerts');
      await prepareTopics();
      await startGroupAtEnd(testKafka(), groupId, SOURCES.map(sourceTopic));
      hub = await startHubProcess(
        { grpcAddress: '127.0.0.1:0', pkiDir },
        { createPkiIfMissing: true, adminPort: 0, tracing: startTracing(), groupId },
      );
    });

    afterAll(async () => {
      await hub?.stop();
      const client = await MongoClient.connect(testEndpoints().mongodbUri);
      await client.db(process.env.DANCU_DB).dropDatabase();
      await client.close();
      process.env = saved;
    });

    it('R26: every metric a rule names is in the hub’s /metrics, and the metrics added for them have values', async () => {
      const text = await (await fetch(`${hub.admin.url}/metrics`)).text();
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => match[1]!));
      const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((match) => match[1]!));
      const known = (name: string) =>
        exported.has(name) || [...histograms].some((base) => [`${base}_bucket`, `${base}_sum`, `${base}_count`].includes(name));
      const named = [...ruleFiles(), ...testFiles()].flatMap((file) => [...metricNames(readFileSync(join(RULES_DIR, file), 'utf8'))]);
      expect(named.length).toBeGreaterThan(5);
      expect(named.filter((name) => !known(name))).toEqual([]);

      // Added for the rules: the journal's failures (a series per writer from the start) and the certificates' expiry.
      expect(text).toContain('dancu_journal_append_failures_total{writer="exchange"} 0');
      expect(text).toContain('dancu_journal_append_failures_total{writer="ingest"} 0');
      const notAfter = Date.parse(new X509Certificate(readFileSync(pkiFiles(pkiDir).hubCertificate)).validTo) / 1000;
      expect(text).toContain(`dancu_pki_certificate_expiry_timestamp_seconds{certificate="hub-server"} ${notAfter}`);
      expect(text).toMatch(/dancu_pki_certificate_expiry_timestamp_seconds\{certificate="certificate-authority"\} \d+/);
    });
  });
});
