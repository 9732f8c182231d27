// A closed-loop load driver for unary gRPC calls: `concurrency` callers, each sending its next
// request as soon as its last one was answered, until `requests` have been sent. What it
// measures is what a consumer sees: answers per second and the latency of each call.
import type { ServiceError } from '@grpc/grpc-js';
import { REASON_METADATA_KEY } from '../proto/metadata.ts';

/** Sends request number `index`; calls back as the generated client does. */
export type UnaryCall<Response> = (index: number, callback: (error: ServiceError | null, response: Response) => void) => void;

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Refusals and failures by dancu reason (or gRPC status when there is none). */
  refused: Map<string, number>;
  /** Every call's latency, sorted (with `keepLatencies`), so several processes' runs can be merged. */
  latenciesMs?: Float64Array;
}

export async function driveCalls<Response>(
  send: UnaryCall<Response>,
  requests: number,
  concurrency: number,
  options: { keepLatencies?: boolean } = {},
): Promise<LoadResult> {
  const latencies = new Float64Array(requests);
  const refused = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const caller = async (): Promise<void> => {
    while (next < requests) {
      const index = next++;
      const sent = performance.now();
      const error = await new Promise<ServiceError | null>((resolve) => send(index, (failure) => resolve(failure)));
      latencies[index] = performance.now() - sent;
      if (error) {
        const reason = String(error.metadata?.get(REASON_METADATA_KEY)[0] ?? `status ${error.code}`);
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return { ...loadResult(latencies, seconds, refused), ...(options.keepLatencies ? { latenciesMs: latencies } : {}) };
}

/** The figures of a run from its sorted latencies and how long it took. */
export function loadResult(sortedMs: Float64Array, seconds: number, refused: Map<string, number>): LoadResult {
  return {
    requests: sortedMs.length,
    seconds,
    perSecond: sortedMs.length / seconds,
    p50Ms: quantile(sortedMs, 0.5),
    p99Ms: quantile(sortedMs, 0.99),
    refused,
  };
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function describeLoad(label: string, result: LoadResult): string {
  const refusals = [...result.refused].map(([reason, count]) => `${reason} ${count}`).join(', ');
  return `${label}: ${Math.round(result.perSecond).toLocaleString('en-US')} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, refused ${refusals || '0'} (${result.requests} requests in ${result.seconds.toFixed(1)} s)`;
}
