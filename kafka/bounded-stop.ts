// A kafkajs consumer's stop, bounded in time. kafkajs's disconnect can wait for ever when the
// consumer crashes while it stops (a fetch cut by the disconnect itself: "Closed connection"): its
// runner then keeps "waiting for consumer to finish" (tulios/kafkajs#571, #1147, #1639). The hub's
// whole stop is bounded by DANCU_SHUTDOWN_SECONDS, but a stop cut there exits 75 and skips what
// comes after the consumers: the journal's signed head, the store's close.
// Giving up on a disconnect loses nothing: offsets are committed only once their slice was
// written (tails commit none at all), and the broker drops the member after its session timeout,
// when its partitions go to the group's other members from their last commit.
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a consumer's stop may take before the rest of the stop goes on without it. */
export const CONSUMER_STOP_BOUND_MS = 5_000;

/** Runs `stop`; resolves when it settles or after `boundMs`, whichever is first, and says which (true: stopped). */
export async function stopWithin(what: string, stop: () => Promise<void>, boundMs = CONSUMER_STOP_BOUND_MS): Promise<boolean> {
  const abandon = new AbortController();
  const stopped = stop().then(
    () => true,
    (error: unknown) => {
      // A consumer whose disconnect failed is stopped as far as this process goes.
      process.stderr.write(`${what}: the stop failed (${error instanceof Error ? error.message : String(error)}); going on\n`);
      return true;
    },
  );
  const outcome = await Promise.race([stopped, sleep(boundMs, false, { signal: abandon.signal }).catch(() => false)]);
  abandon.abort();
  if (!outcome) {
    process.stderr.write(
      `${what}: Kafka did not confirm the stop within ${boundMs / 1000} s; going on without it ` +
        '(nothing uncommitted is lost: the broker drops the member after its session timeout)\n',
    );
  }
  return outcome;
}
