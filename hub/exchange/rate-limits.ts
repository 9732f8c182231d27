// Rate limits per agreement across hub instances (R22). Each instance keeps a token bucket per
// agreement in memory, filled at the agreement's rate divided by the number of live hub instances
// (hub-instances.ts), so no call waits on the store. How exact: over any span of T seconds the
// instances together allow at most rate·T + n·max(1, rate/n) calls (each bucket's burst), where n
// is the number of live instances; after an instance joins or leaves, the others learn it within
// one heartbeat (HEARTBEAT_MS), and until then the sum may be off by that instance's share.
export interface RateLimitsOptions {
  /** Live hub instances sharing the agreements' rates (1: this one alone). */
  instances?: () => number;
  clock?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly instances: () => number;
  private readonly clock: () => number;

  constructor(options: RateLimitsOptions = {}) {
    this.instances = options.instances ?? (() => 1);
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Takes one call from the agreement's share of `ratePerSecond`; false when none is left. */
  take(agreementId: string, ratePerSecond: number): boolean {
    const share = ratePerSecond / Math.max(1, this.instances());
    const burst = Math.max(1, share);
    const now = this.clock();
    const bucket = this.buckets.get(agreementId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * share);
    bucket.at = now;
    this.buckets.set(agreementId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
