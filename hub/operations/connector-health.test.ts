import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../schemas/heartbeat.ts';
import { connectorHealth } from './connector-health.ts';
import { DEFAULT_HEALTH_THRESHOLDS, healthThresholds, healthThresholdsFromEnv } from './health-thresholds.ts';

const T0 = Date.parse('2025-03-01T08:00:00.000Z');
const thresholds = healthThresholds();

function beat(overrides: Partial<Heartbeat> = {}, atMs = T0): Heartbeat {
  return {
    connector: 'civil-status.simulated.seed-1',
    kind: 'source',
    topic: 'dancu.source.civil-status.v1',
    state: 'running',
    position: { read: 100, checkpoint: 100 },
    counts: { published: 100, rejected: 0, skipped: 0 },
    lastError: null,
    version: '0.1.0',
    startedAt: new Date(T0 - 600_000).toISOString(),
    at: new Date(atMs).toISOString(),
    intervalMs: 5_000,
    ...overrides,
  };
}

describe('connector health (R26: operators see whether each source still keeps the population DB current)', () => {
  it('R26: a connector beating on time, rejecting few records, with the hub keeping up, is healthy', () => {
    const health = connectorHealth({ latest: beat(), lag: 3 }, T0 + 2_000, thresholds);
    expect(health).toMatchObject({
      state: 'healthy',
      reason: 'running, last heartbeat 2.0 s ago',
      heartbeatAgeSeconds: 2,
      lag: 3,
      reportedState: 'running',
    });
  });

  it('R26: starting and idle connectors are healthy while they beat', () => {
    for (const state of ['starting', 'idle'] as const)
      expect(connectorHealth({ latest: beat({ state }) }, T0, thresholds).state).toBe('healthy');
  });

  it('R26: a heartbeat exactly degradedAfterMs old is on time; one millisecond later it is degraded, naming the age and the threshold', () => {
    expect(connectorHealth({ latest: beat() }, T0 + 15_000, thresholds).state).toBe('healthy');
    const late = connectorHealth({ latest: beat() }, T0 + 15_001, thresholds);
    expect(late.state).toBe('degraded');
    expect(late.reason).toBe('no heartbeat for 15 s (degraded after 15 s)');
  });

  it('R26: a heartbeat exactly downAfterMs old is degraded; past it the connector is down', () => {
    expect(connectorHealth({ latest: beat() }, T0 + 60_000, thresholds).state).toBe('degraded');
    const gone = connectorHealth({ latest: beat() }, T0 + 60_001, thresholds);
    expect(gone).toMatchObject({ state: 'down', reason: 'no heartbeat for 60 s (down after 60 s)' });
  });

  it('R26: a connector whose last heartbeat said stopping is down at once, and the reason says it was a clean stop', () => {
    const stopped = connectorHealth({ latest: beat({ state: 'stopping' }) }, T0 + 100, thresholds);
    expect(stopped.state).toBe('down');
    expect(stopped.reason).toContain('stopped cleanly');
  });

  it('R26: a connector whose last heartbeat said failed is down at once, with its last error as the reason', () => {
    const failed = connectorHealth(
      { latest: beat({ state: 'failed', lastError: { message: 'KafkaJSNumberOfRetriesExceeded: broker went away', at: beat().at } }) },
      T0,
      thresholds,
    );
    expect(failed).toMatchObject({ state: 'down', reason: 'failed 0.0 s ago: KafkaJSNumberOfRetriesExceeded: broker went away' });
  });

  it('R26: more than maxErrorRate of the records rejected over the window is degraded; exactly maxErrorRate is not', () => {
    const windowStart = beat({ counts: { published: 100, rejected: 0, skipped: 0 } }, T0 - 50_000);
    const atLimit = beat({ counts: { published: 195, rejected: 5, skipped: 0 } });
    expect(connectorHealth({ latest: atLimit, windowStart }, T0, thresholds)).toMatchObject({ state: 'healthy', errorRate: 0.05 });
    const above = beat({ counts: { published: 194, rejected: 6, skipped: 0 } });
    const health = connectorHealth({ latest: above, windowStart }, T0, thresholds);
    expect(health.state).toBe('degraded');
    expect(health.reason).toBe('6.0 % of its records rejected over the last 60 s (degraded above 5.0 %)');
  });

  it('R26: too few records in the window say nothing about the error rate', () => {
    const windowStart = beat({ counts: { published: 100, rejected: 0, skipped: 0 } }, T0 - 50_000);
    const latest = beat({ counts: { published: 110, rejected: 9, skipped: 0 } });
    expect(connectorHealth({ latest, windowStart }, T0, thresholds)).toMatchObject({ state: 'healthy', errorRate: null });
  });

  it('R26: a window start from an earlier run is not compared: the counts since the new run started are the window', () => {
    const windowStart = beat(
      { startedAt: new Date(T0 - 3_600_000).toISOString(), counts: { published: 5_000, rejected: 0, skipped: 0 } },
      T0 - 50_000,
    );
    const latest = beat({ counts: { published: 90, rejected: 10, skipped: 0 } });
    expect(connectorHealth({ latest, windowStart }, T0, thresholds)).toMatchObject({ state: 'degraded', errorRate: 0.1 });
  });

  it("R26: the hub's lag on the connector's topic above maxLag is degraded; at maxLag it is not", () => {
    expect(connectorHealth({ latest: beat(), lag: 10_000 }, T0, thresholds).state).toBe('healthy');
    const behind = connectorHealth({ latest: beat(), lag: 10_001 }, T0, thresholds);
    expect(behind).toMatchObject({
      state: 'degraded',
      reason: 'the hub is 10001 records behind on dancu.source.civil-status.v1 (degraded above 10000)',
    });
  });

  it('R26: every cause of a degraded state is named', () => {
    const health = connectorHealth({ latest: beat(), lag: 20_000 }, T0 + 20_000, thresholds);
    expect(health.reason.split('; ')).toHaveLength(2);
  });

  it('R26: a connector clock slightly ahead of the hub gives age 0, not a negative age', () => {
    expect(connectorHealth({ latest: beat({}, T0 + 500) }, T0, thresholds).heartbeatAgeSeconds).toBe(0);
  });
});

describe('connector health thresholds', () => {
  it('default to 15 s degraded, 60 s down, 10 000 records of lag and 5 % rejected', () => {
    expect(healthThresholdsFromEnv({})).toEqual(DEFAULT_HEALTH_THRESHOLDS);
    expect(healthThresholdsFromEnv({ DANCU_CONNECTOR_DEGRADED_AFTER_MS: '1500', DANCU_CONNECTOR_DOWN_AFTER_MS: '3000' })).toMatchObject({
      degradedAfterMs: 1_500,
      downAfterMs: 3_000,
    });
  });

  it('are refused at start-up with a sentence naming the variable and what to do', () => {
    expect(() => healthThresholdsFromEnv({ DANCU_CONNECTOR_DOWN_AFTER_MS: 'soon' })).toThrow(
      'DANCU_CONNECTOR_DOWN_AFTER_MS="soon" is not a number',
    );
    expect(() => healthThresholds({ degradedAfterMs: 60_000, downAfterMs: 15_000 })).toThrow(
      'downAfterMs (DANCU_CONNECTOR_DOWN_AFTER_MS) (15000) must be longer than degradedAfterMs (DANCU_CONNECTOR_DEGRADED_AFTER_MS) (60000)',
    );
    expect(() => healthThresholds({ maxErrorRate: 5 })).toThrow('must be a share above 0 and at most 1');
    expect(() => healthThresholds({ degradedAfterMs: -1 })).toThrow(
      'degradedAfterMs (DANCU_CONNECTOR_DEGRADED_AFTER_MS) must be a positive whole number',
    );
  });
});
