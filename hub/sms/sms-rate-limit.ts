// At most `perWindow` lookups per sending number per window (R20 is a citizen's own lookup, a few
// a day at most). Past it, the first refused message of the window is told so once; later ones get
// no answer at all, so a flood cannot make the hub text a number over and over (SMS costs money and
// can harass the real holder of a forged number). Kept in memory per gateway: one gateway binds
// to one SMS centre.

export interface SmsRateLimitOptions {
  /** Lookups one number may make per window (default 5). */
  perWindow?: number;
  /** The window (default one hour). */
  windowMs?: number;
  now?: () => number;
}

export type Admission = 'admitted' | 'first-refusal' | 'refused';

export class SmsRateLimit {
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Per number: the times of its admitted lookups in the window, and whether it was told it is over. */
  private readonly numbers = new Map<string, { times: number[]; told: boolean }>();

  constructor(options: SmsRateLimitOptions = {}) {
    this.perWindow = options.perWindow ?? 5;
    this.windowMs = options.windowMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  admit(number: string): Admission {
    const now = this.now();
    this.sweep(now);
    const state = this.numbers.get(number) ?? { times: [], told: false };
    this.numbers.set(number, state);
    state.times = state.times.filter((time) => now - time < this.windowMs);
    if (state.times.length < this.perWindow) {
      state.times.push(now);
      state.told = false;
      return 'admitted';
    }
    if (state.told) return 'refused';
    state.told = true;
    return 'first-refusal';
  }

  /** Forgets numbers with nothing in the window, so memory follows the live senders only. */
  private sweep(now: number): void {
    if (this.numbers.size < 10_000) return;
    for (const [number, state] of this.numbers) if (state.times.every((time) => now - time >= this.windowMs)) this.numbers.delete(number);
  }
}
