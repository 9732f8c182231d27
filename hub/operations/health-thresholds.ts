// When a connector counts as degraded or down (see connector-health.ts for the rules). Set by
// environment variables and checked once, at hub start-up, with a sentence an operator can act on.
import { DancuError } from '../../errors/dancu-error.ts';

export interface HealthThresholds {
  /** No heartbeat for longer than this: degraded (a beat or two lost, or the connector is stuck). */
  degradedAfterMs: number;
  /** No heartbeat for longer than this: down. */
  downAfterMs: number;
  /** The hub's consumer lag on the connector's topic above this many records: degraded. */
  maxLag: number;
  /** Share of records rejected over the error window above this: degraded. */
  maxErrorRate: number;
  /** Fewer records than this in the window say nothing about a rate (1 bad of 2 is not 50 %). */
  errorRateMinRecords: number;
  /** How far back the error rate looks. */
  errorWindowMs: number;
  /** Not heard from for longer than this: retired from the live view (kept in the history; connector-retirement.ts). */
  retireAfterMs: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = {
  degradedAfterMs: 15_000,
  downAfterMs: 60_000,
  maxLag: 10_000,
  maxErrorRate: 0.05,
  errorRateMinRecords: 20,
  errorWindowMs: 60_000,
  retireAfterMs: 3_600_000,
};

/** The environment variable that sets each threshold. */
export const HEALTH_THRESHOLD_VARIABLES: Readonly<Record<keyof HealthThresholds, string>> = {
  degradedAfterMs: 'DANCU_CONNECTOR_DEGRADED_AFTER_MS',
  downAfterMs: 'DANCU_CONNECTOR_DOWN_AFTER_MS',
  maxLag: 'DANCU_CONNECTOR_MAX_LAG',
  maxErrorRate: 'DANCU_CONNECTOR_MAX_ERROR_RATE',
  errorRateMinRecords: 'DANCU_CONNECTOR_ERROR_RATE_MIN_RECORDS',
  errorWindowMs: 'DANCU_CONNECTOR_ERROR_WINDOW_MS',
  retireAfterMs: 'DANCU_CONNECTOR_RETIRE_AFTER_MS',
};

export class HealthThresholdsError extends DancuError<'thresholds-invalid'> {
  override readonly name = 'HealthThresholdsError';
  readonly code = 'thresholds-invalid';
  /** A configuration mistake: retrying with the same settings cannot help. */
  readonly retryable = false;
}

/** The defaults with `overrides` applied, or a HealthThresholdsError naming what to fix. */
export function healthThresholds(overrides: Partial<HealthThresholds> = {}): HealthThresholds {
  const thresholds = { ...DEFAULT_HEALTH_THRESHOLDS, ...overrides };
  const problems: string[] = [];
  const named = (key: keyof HealthThresholds): string => `${key} (${HEALTH_THRESHOLD_VARIABLES[key]})`;
  for (const key of ['degradedAfterMs', 'downAfterMs', 'errorWindowMs', 'errorRateMinRecords', 'retireAfterMs'] as const) {
    if (!Number.isInteger(thresholds[key]) || thresholds[key] <= 0)
      problems.push(`${named(key)} must be a positive whole number, not ${thresholds[key]}`);
  }
  if (!Number.isInteger(thresholds.maxLag) || thresholds.maxLag < 0)
    problems.push(`${named('maxLag')} must be a whole number of records, 0 or more, not ${thresholds.maxLag}`);
  if (!(thresholds.maxErrorRate > 0 && thresholds.maxErrorRate <= 1))
    problems.push(`${named('maxErrorRate')} must be a share above 0 and at most 1, not ${thresholds.maxErrorRate}`);
  if (problems.length === 0 && thresholds.downAfterMs <= thresholds.degradedAfterMs) {
    problems.push(
      `${named('downAfterMs')} (${thresholds.downAfterMs}) must be longer than ${named('degradedAfterMs')} (${thresholds.degradedAfterMs}), or no connector would ever show as degraded`,
    );
  }
  if (problems.length === 0 && thresholds.retireAfterMs <= thresholds.downAfterMs) {
    problems.push(
      `${named('retireAfterMs')} (${thresholds.retireAfterMs}) must be longer than ${named('downAfterMs')} (${thresholds.downAfterMs}), or a connector would leave the live view before it shows as down`,
    );
  }
  if (problems.length > 0) throw new HealthThresholdsError(`connector health thresholds: ${problems.join('; ')}`);
  return thresholds;
}

/** Thresholds from DANCU_CONNECTOR_* variables (unset ones keep their default), validated. */
export function healthThresholdsFromEnv(env: NodeJS.ProcessEnv = process.env): HealthThresholds {
  const overrides: Partial<HealthThresholds> = {};
  for (const [key, variable] of Object.entries(HEALTH_THRESHOLD_VARIABLES) as Array<[keyof HealthThresholds, string]>) {
    const value = env[variable];
    if (value === undefined || value.trim() === '') continue;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new HealthThresholdsError(`${variable}=${JSON.stringify(value)} is not a number`);
    overrides[key] = parsed;
  }
  return healthThresholds(overrides);
}
