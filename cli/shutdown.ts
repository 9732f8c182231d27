import { startTracing, type Tracing } from '../telemetry/tracing.ts';

// Ctrl-C (SIGINT) or SIGTERM stops a long-running command cleanly; a second Ctrl-C exits at once.
export function onShutdown(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping… (Ctrl-C again to exit at once)\n');
    controller.abort();
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
