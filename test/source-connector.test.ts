import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectLogPath, runConnectorProcess } from '../connectors/connector-process.ts';
import { simulatedFeed } from '../connectors/feed.ts';
import { sourceTopic } from '../kafka/topics.ts';
import { testEndpoints } from './endpoints.ts';
import { prepareTopics, tapTopic, waitFor } from './harness.ts';

describe('a source connector on the real Kafka', () => {
  it('R26: a connector stopped midway and restarted neither skips nor re-publishes what Kafka acknowledged', async () => {
    await prepareTopics();
    const stateDir = await mkdtemp(join(tmpdir(), 'dancu-connector-'));
    const simulation = { seed: Math.floor(Math.random() * 1e9) + 1, citizens: 60, badShare: 0.1 };
    const topic = sourceTopic('civil-status');
    const tap = await tapTopic(topic);
    const base = {
      source: 'civil-status' as const,
      feedId: 'civil-status.test',
      kafkaBrokers: testEndpoints().kafkaBrokers,
      stateDir,
      batchSize: 10,
    };

    const stop = new AbortController();
    const first = await runConnectorProcess({
      ...base,
      items: simulatedFeed('civil-status', simulation),
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.published >= 30) stop.abort();
      },
    });
    expect(first.published).toBeGreaterThanOrEqual(30);

    const second = await runConnectorProcess({ ...base, items: simulatedFeed('civil-status', simulation) });
    expect(second.skipped).toBe(first.position);

    const total = first.published + second.published;
    const published = await waitFor('every published record on the topic', async () =>
      tap.records.length >= total ? tap.records : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await tap.stop();
    const eventIds = published.map((record) => JSON.parse(record.value!.toString()).eventId as string);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(tap.records.length).toBe(total);

    // Every simulated record is either in Kafka or in the reject log with a reason.
    const rejected = (await readFile(rejectLogPath(stateDir, 'civil-status.test'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rejected.length).toBe(first.rejected + second.rejected);
    expect(rejected.length).toBeGreaterThan(0);
    for (const entry of rejected)
      expect(entry).toMatchObject({ position: expect.any(Number), reason: expect.any(String), detail: expect.any(String) });
    const all = [...simulatedFeed('civil-status', simulation)].length;
    expect(total + rejected.length).toBe(all);
  });
});
