// Slices of several partitions applied to the store together (group commit). The consumer hands
// over the slices of all its partitions at once (BatchConsumer's `partitionsAtOnce`); each is
// checked as it arrives, and the slices that arrived while the store was busy are applied in the
// next round, together: one history insert, one read-merge-write of every citizen they touch
// (a citizen met in several partitions' slices is written once), one send of changes. Under a
// light load a slice goes alone at once; under a heavy one the rounds grow, up to `maxRecords`.
//
// One round at a time in a group (the hub has one group per lane, store-lanes.ts, and lanes never
// share a citizen): this process never races itself for a citizen (concurrent rounds on the same
// citizens would lose compare-and-set writes to each other and back off). A partition's next slice is handed over
// only once its previous one is done, so per-partition, and so per-citizen, order is kept.
// A slice whose round failed is retried `alone`, so that a slice the store refuses cannot keep
// failing the rounds of the slices beside it.
import type { BatchOutcome, CheckedSlice } from './ingest-batch.ts';

/** Records per round at most: a round of 10 partitions' full slices. */
export const ROUND_RECORDS = 5_000;

interface Waiting {
  slice: CheckedSlice;
  alone: boolean;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

export class SliceGroup {
  private readonly waiting: Waiting[] = [];
  private running = false;

  constructor(
    private readonly apply: (slices: CheckedSlice[]) => Promise<BatchOutcome[]>,
    private readonly maxRecords = ROUND_RECORDS,
  ) {}

  /** Resolves with the slice's own outcome once the round it went in is applied; rejects if that round failed. */
  submit(slice: CheckedSlice, options: { alone?: boolean } = {}): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ slice, alone: options.alone ?? false, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Slices waiting for a round. */
  get queued(): number {
    return this.waiting.length;
  }

  private async drain(): Promise<void> {
    this.running = true;
    await null; // one microtask, so that slices handed over together start the first round together
    while (this.waiting.length > 0) {
      const round = this.nextRound();
      try {
        const outcomes = await this.apply(round.map((waiting) => waiting.slice));
        for (const [index, waiting] of round.entries()) waiting.resolve(outcomes[index]!);
      } catch (error) {
        for (const waiting of round) waiting.reject(error);
      }
    }
    this.running = false;
  }

  /** The oldest slice, and those after it that fit, in arrival order; a slice to retry alone goes on its own. */
  private nextRound(): Waiting[] {
    const first = this.waiting.shift()!;
    const round = [first];
    if (first.alone) return round;
    let records = first.slice.records.length;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (next.alone || records + next.slice.records.length > this.maxRecords) break;
      round.push(this.waiting.shift()!);
      records += next.slice.records.length;
    }
    return round;
  }
}
