// Open WatchChanges streams, capped per agreement. Each stream holds a Kafka consumer of its own,
// so without a cap one agreement could open streams until the brokers and the hub run out. A
// slot is taken once the stream is admitted and given back only after its consumer has stopped,
// so the count is what holds Kafka resources. Per hub instance, in memory, like the rate limit.
import { refuse } from './refusal.ts';

export const DEFAULT_STREAMS_PER_AGREEMENT = 5;

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(readonly perAgreement = DEFAULT_STREAMS_PER_AGREEMENT) {}

  /** A slot for one stream of the agreement, or RESOURCE_EXHAUSTED TOO_MANY_STREAMS. Returns its release (safe to call twice). */
  take(agreementId: string): () => void {
    const held = this.open.get(agreementId) ?? 0;
    if (held >= this.perAgreement) {
      refuse(
        'TOO_MANY_STREAMS',
        `agreement ${agreementId} has ${held} open WatchChanges streams on this hub, the most it may; close one (one stream can watch up to 1000 citizens)`,
      );
    }
    this.open.set(agreementId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.open.get(agreementId) ?? 1) - 1;
      if (now > 0) this.open.set(agreementId, now);
      else this.open.delete(agreementId);
    };
  }

  /** Streams open (Kafka consumers held or being set up) for the agreement, or in all. */
  count(agreementId?: string): number {
    if (agreementId !== undefined) return this.open.get(agreementId) ?? 0;
    return [...this.open.values()].reduce((sum, n) => sum + n, 0);
  }
}
