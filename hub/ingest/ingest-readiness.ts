// Whether a hub can ingest: Kafka and the store each answer within READY_TIMEOUT_MS, and the
// consumer is consuming. The admin port's /readyz serves it.
import type { ConsumerState } from '../../kafka/batch-consumer.ts';

/** What a readiness check found: each dependency and whether it answered. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

const READY_TIMEOUT_MS = 3_000;

async function answers(probe: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  const attempt = probe();
  attempt.catch(() => {}); // if the timeout wins, a late failure must not become an unhandled rejection
  try {
    await Promise.race([attempt, timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ready while Kafka and the store answer, each within READY_TIMEOUT_MS, and the consumer is
 * consuming: a slice being retried or a consumer being restarted makes the hub not ready, with the cause.
 */
export async function ingestReadiness(probes: {
  kafka: () => Promise<unknown>;
  store: () => Promise<unknown>;
  consumer: () => ConsumerState;
}): Promise<Readiness> {
  const [kafka, store] = await Promise.all([answers(probes.kafka), answers(probes.store)]);
  const state = probes.consumer();
  const consumer = state.consuming
    ? { ok: true }
    : { ok: false, detail: `${state.cause ?? 'not consuming'} (since ${state.since.toISOString()})` };
  return { ready: kafka.ok && store.ok && consumer.ok, checks: { kafka, store, consumer } };
}
