import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../schemas/heartbeat.ts';
import { retirementOf } from './connector-retirement.ts';
import { healthThresholds, healthThresholdsFromEnv } from './health-thresholds.ts';
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

describe('retiring connectors', () => {
  const thresholds = healthThresholds({ retireAfterMs: 120_000 });

  it('R26: a connector silent for longer than retireAfterMs leaves the live view for the history; exactly retireAfterMs is still live', () => {
    const watching = new HeartbeatMonitor({ kafka: undefined as unknown as Kafka, thresholds });
    watching.observe(beat('health.old', 0, { published: 1, rejected: 0 }));
    watching.observe(beat('health.new', 100, { published: 1, rejected: 0 }));
    expect(watching.connectors(T0 + 120_000).map((c) => c.connector)).toEqual(['health.new', 'health.old']);
    const now = T0 + 120_001;
    expect(watching.connectors(now).map((c) => c.connector)).toEqual(['health.new']);
    expect(watching.retired(now)).toEqual([
      expect.objectContaining({
        connector: 'health.old',
        state: 'down',
        retirement: { at: new Date(T0 + 120_000).toISOString(), by: null, reason: 'not heard from for more than 2 min' },
      }),
    ]);
  });

  it('R26: an officer’s retirement takes a live connector out of the live view; a beat sent after it brings it back', () => {
    const at = (seconds: number) => new Date(T0 + seconds * 1000);
    const byHand = { _id: 'health.a', retiredAt: at(10), by: 'c06-ops', reason: 'import finished' };
    expect(retirementOf(beat('health.a', 5, { published: 1, rejected: 0 }), T0 + 11_000, 3_600_000, byHand)).toEqual({
      at: at(10).toISOString(),
      by: 'c06-ops',
      reason: 'import finished',
    });
    expect(retirementOf(beat('health.a', 12, { published: 1, rejected: 0 }), T0 + 13_000, 3_600_000, byHand)).toBeUndefined();
    expect(retirementOf(beat('health.a', 12, { published: 1, rejected: 0 }), T0 + 13_000, 3_600_000)).toBeUndefined();
  });

  it('R26: retireAfterMs must be longer than downAfterMs, or a connector would vanish before it shows as down', () => {
    expect(() => healthThresholds({ downAfterMs: 60_000, retireAfterMs: 60_000 })).toThrow(
      'retireAfterMs (DANCU_CONNECTOR_RETIRE_AFTER_MS) (60000) must be longer than downAfterMs',
    );
    expect(healthThresholdsFromEnv({ DANCU_CONNECTOR_RETIRE_AFTER_MS: '7200000' }).retireAfterMs).toBe(7_200_000);
  });
});
