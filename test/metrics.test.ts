import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import { sourceTopic, topicLayout } from '../kafka/topics.ts';
import { publishEvents, publishRaw, startTestHub, type TestHub, waitFor } from './harness.ts';

/** The values of every sample in Prometheus text format with these labels, e.g. metric{a="b"} 12. */
function samples(text: string, name: string, labels: Record<string, string>): number[] {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const values: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (wanted.every((pair) => series.includes(pair))) values.push(Number(value));
  }
  return values;
}

/** The value of the first sample with these labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  return samples(text, name, labels)[0];
}

describe("the hub's metrics on the real Kafka and FerretDB", () => {
  let hub: TestHub;
  let admin: AdminServer;
  beforeAll(async () => {
    hub = await startTestHub();
    admin = await AdminServer.start({ registry: hub.hub.metrics.registry, readiness: () => hub.hub.readiness(), port: 0 });
  });
  afterAll(async () => {
    await admin?.close();
    await hub?.stop();
  });

  it('/metrics counts applied and rejected records by source and reason, and reports consumer lag per partition; /readyz is ready while Kafka and the store answer', async () => {
    const events = simulateEvents({ seed: Math.floor(Math.random() * 1e9) + 1, citizens: 5, sources: ['civil-status'] });
    await publishEvents(events);
    await publishRaw(sourceTopic('civil-status'), [{ key: events[0]!.personalId, value: '{"broken' }]);

    const text = await waitFor('the metrics to count every record', async () => {
      const body = await (await fetch(`${admin.url}/metrics`)).text();
      const applied = sample(body, 'dancu_ingest_records_total', { source: 'civil-status', outcome: 'applied' }) ?? 0;
      const rejected = sample(body, 'dancu_ingest_rejected_total', { source: 'civil-status', reason: 'malformed-json' }) ?? 0;
      // Lag is read at the scrape from the group's committed offsets: 0 once every record is committed.
      const lags = samples(body, 'dancu_ingest_consumer_lag', { topic: sourceTopic('civil-status') });
      const caughtUp = lags.length === topicLayout(sourceTopic('civil-status')).partitions && lags.every((lag) => lag === 0);
      return applied === events.length && rejected === 1 && caughtUp ? body : undefined;
    });
    expect(sample(text, 'dancu_ingest_changes_published_total', { source: 'civil-status' })).toBeGreaterThan(0);
    expect(sample(text, 'dancu_ingest_batch_duration_seconds_count', { source: 'civil-status' })).toBeGreaterThan(0);
    const partitions = topicLayout(sourceTopic('civil-status')).partitions;
    expect(samples(text, 'dancu_ingest_consumer_lag', { topic: sourceTopic('civil-status') })).toEqual(Array(partitions).fill(0));
    expect(text).not.toContain(events[0]!.personalId); // labels never carry personal data

    expect((await fetch(`${admin.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${admin.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { kafka: { ok: true }, store: { ok: true }, consumer: { ok: true } } });
    expect((await fetch(`${admin.url}/nothing-here`)).status).toBe(404);
  });
});
