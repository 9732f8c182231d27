// Waiting before trying again: exponential with full jitter, so many consumers that lost the hub
// at the same moment do not all come back at the same moment.
import { setTimeout as sleep } from 'node:timers/promises';
import { Refused } from './refused.ts';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const ceiling = Math.min(options.maxMs ?? 30_000, (options.initialMs ?? 200) * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}

/** Runs `attempt` again while it fails with a retryable refusal, up to `attempts` times in all. */
export async function retrying<T>(
  attempt: () => Promise<T>,
  options: BackoffOptions & { attempts?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Refused) || !error.retryable || tried >= attempts || options.signal?.aborted) throw error;
      await pause(backoffDelay(tried, options), options.signal);
    }
  }
}
