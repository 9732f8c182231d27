// Noticing a Kafka consumer that has gone silent for good. kafkajs handles a crash by first
// stopping the consumer and only then restarting it (and only then telling its CRASH listeners),
// and that stop can wait for ever for a fetch loop that never says it finished (the hang behind
// tulios/kafkajs#571, #1147, #1639): the consumer then neither consumes nor reports anything, and
// a hub would read nothing more while it looked healthy. A healthy consumer is never silent for
// long: it fetches every few seconds even from an idle topic, heartbeats while a slice is handled,
// and a crashing one reports its crashes. So silence well past any of those means it is stuck.

/** Silence past which a consumer counts as stuck, at least. */
export const MIN_STALL_MS = 120_000;

export class StallWatch {
  private lastSign = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Silence, in ms, that counts as stuck. */
    readonly boundMs: number,
    /** Called once per stretch of silence past the bound (the watch then counts afresh). */
    private readonly onStall: (silentMs: number) => void,
  ) {}

  /** The consumer did something: a request, a heartbeat, a fetch, a join, a crash it reported. */
  sign(): void {
    this.lastSign = Date.now();
  }

  start(): void {
    this.sign();
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), Math.max(10, Math.min(10_000, Math.floor(this.boundMs / 4))));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const silentMs = Date.now() - this.lastSign;
    if (silentMs < this.boundMs) return;
    this.sign();
    this.onStall(silentMs);
  }
}
