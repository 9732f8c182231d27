import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../connectors/sdk/heartbeat.ts';
import { healthThresholds } from './health-thresholds.ts';
import { HeartbeatMonitor } from './heartbeat-monitor.ts';

const T0 = Date.parse('2025-03-01T08:00:00.000Z');

function beat(connector: string, secondsAfter: number, counts: { published: number; rejected: number }, run = 'run-1'): Heartbeat {
  return {
    connector,
    kind: 'source',
    topic: 'dancu.source.health.v1',
    state: 'running',
    position: { read: counts.published + counts.rejected, checkpoint: counts.published + counts.rejected },
    counts: { ...counts, skipped: 0 },
    lastError: null,
    version: '0.1.0',
    startedAt: run === 'run-1' ? new Date(T0 - 1_000).toISOString() : new Date(T0 + 2_000).toISOString(),
    at: new Date(T0 + secondsAfter * 1000).toISOString(),
    intervalMs: 5_000,
  };
}

describe('the heartbeat monitor', () => {
  const monitor = () => new HeartbeatMonitor({ kafka: undefined as unknown as Kafka, thresholds: healthThresholds() });

  it('R26: keeps the latest beat of each connector and measures the error rate over the window only', () => {
    const watching = monitor();
    watching.observe(beat('health.a', 0, { published: 0, rejected: 50 })); // a bad start, outside the window later on
    watching.observe(beat('health.a', 100, { published: 100, rejected: 50 }));
    watching.observe(beat('health.a', 150, { published: 200, rejected: 51 }));
    watching.observe(beat('health.b', 150, { published: 10, rejected: 0 }));
    const [a, b] = watching.connectors(T0 + 151_000);
    expect(a).toMatchObject({ connector: 'health.a', state: 'healthy', counts: { published: 200, rejected: 51 }, errorRate: 1 / 101 });
    expect(b).toMatchObject({ connector: 'health.b', state: 'healthy' });
  });

  it('R26: starts the window again when the connector restarts, since its counts start from zero', () => {
    const watching = monitor();
    watching.observe(beat('health.a', 0, { published: 900, rejected: 0 }));
    watching.observe(beat('health.a', 5, { published: 40, rejected: 10 }, 'run-2'));
    expect(watching.connectors(T0 + 6_000)[0]).toMatchObject({ state: 'degraded', errorRate: 0.2 });
  });
});
