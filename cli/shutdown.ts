import { stepsUnderWay } from '../telemetry/stop-steps.ts';
import { startTracing, type Tracing } from '../telemetry/tracing.ts';
import { EXIT_CODES } from './exit-code.ts';
import { shutdownSeconds } from './settings.ts';

/** The exit code of a command that did not stop in time (EX_TEMPFAIL: nothing lost, try again). */
export const STOP_TIMED_OUT_EXIT_CODE = EXIT_CODES.tryAgain;

/**
 * Ctrl-C (SIGINT) or SIGTERM stops a long-running command cleanly; a second Ctrl-C exits at once.
 * The stop is bounded: an orchestrator sends one SIGTERM and kills later, and a stop can hang on
 * a Kafka or a store that is gone (their clients retry). After `seconds` (DANCU_SHUTDOWN_SECONDS)
 * the process exits anyway. Nothing is lost by that: offsets are committed only after their
 * slice was written, so an abandoned slice is read again by whoever takes the partition.
 */
export function onShutdown(seconds = shutdownSeconds()): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nstopping… (at most ${seconds} s; Ctrl-C again to exit at once)\n`);
    controller.abort();
    setTimeout(() => {
      const steps = stepsUnderWay();
      const waitingOn = steps.length > 0 ? `waiting on: ${steps.join(', ')}` : 'is Kafka or the store unreachable?';
      process.stderr.write(
        `did not stop within ${seconds} s (${waitingOn}); exiting now. ` +
          'Nothing is lost: offsets were committed only for what was written.\n',
      );
      process.exit(STOP_TIMED_OUT_EXIT_CODE);
    }, seconds * 1000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Runs a long-running command with tracing started for its process (OTEL_* variables, see
 * telemetry/tracing.ts). Spans still buffered are exported before it returns, whether the command
 * stopped cleanly or failed; only a second Ctrl-C (exit at once) skips that.
 */
export async function withTracing<T>(run: (tracing: Tracing) => Promise<T>): Promise<T> {
  const tracing = startTracing();
  try {
    return await run(tracing);
  } finally {
    await tracing.shutdown();
  }
}
