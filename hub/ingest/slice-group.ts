// Slices of several partitions applied to the store together (group commit). The consumer hands
// over the slices of all its partitions at once (BatchConsumer's `partitionsAtOnce`); each is
// checked as it arrives, and the slices that arrived while the store was busy are stored in the
// next round, together: one history insert, one read-merge-write of every citizen they touch
// (a citizen met in several partitions' slices is written once). Under a light load a slice goes
// alone at once; under a heavy one the rounds grow, up to `maxRecords`.
//
// A round goes in two steps: `store`, then `publish` (its dead letters and changes). One round
// at a time is stored in a group (the hub has one group per lane, store-lanes.ts, and lanes never
// share a citizen): this process never races itself for a citizen (concurrent rounds on the same
// citizens would lose compare-and-set writes to each other and back off). The next round is
// stored while the one before is still publishing (not further ahead: the round after waits for
// that publish), and rounds publish one at a time, in the order they were stored: a citizen's
// changes reach the change feed in the order they were made.
// A slice is `stored` once its round's store step is done, and `done` once its round has
// published; the consumer hands over a partition's next slice only once the previous one is
// stored, so per-partition, and so per-citizen, order is kept.
// A slice whose round failed is retried `alone`, so that a slice the store refuses cannot keep
// failing the rounds of the slices beside it.
import type { BatchOutcome, CheckedSlice } from './ingest-batch.ts';

/** Records per round at most: a round of 10 partitions' full slices. */
export const ROUND_RECORDS = 5_000;

/** A round's two steps: the second gets what the first returned. */
export interface RoundSteps<Stored> {
  store: (slices: CheckedSlice[]) => Promise<Stored>;
  /** Resolves with each slice's outcome, in the order of the slices given to `store`. */
  publish: (stored: Stored) => Promise<BatchOutcome[]>;
}

/** A slice handed to a group: its two steps. If `stored` rejects, so does `done`. */
export interface SubmittedSlice {
  /** Its round's store step is done: the partition's next slice may be handed over. */
  stored: Promise<void>;
  /** Its round has published too: the slice's outcome; its offsets may be committed. */
  done: Promise<BatchOutcome>;
}

interface Waiting {
  slice: CheckedSlice;
  alone: boolean;
  stored: Settle<void>;
  done: Settle<BatchOutcome>;
}

export class SliceGroup<Stored> {
  private readonly waiting: Waiting[] = [];
  private running = false;
  /** The last round's publish step: the next one waits for it. */
  private publishing: Promise<void> = Promise.resolve();
  /** The publish step of the round before the last: the next round is stored only after it. */
  private publishedBefore: Promise<void> = Promise.resolve();

  constructor(
    private readonly steps: RoundSteps<Stored>,
    private readonly maxRecords = ROUND_RECORDS,
  ) {}

  submit(slice: CheckedSlice, options: { alone?: boolean } = {}): SubmittedSlice {
    const stored = settle<void>();
    const done = settle<BatchOutcome>();
    this.waiting.push({ slice, alone: options.alone ?? false, stored, done });
    if (!this.running) void this.drain();
    return { stored: stored.promise, done: done.promise };
  }

  /** Slices waiting for a round. */
  get queued(): number {
    return this.waiting.length;
  }

  private async drain(): Promise<void> {
    this.running = true;
    await null; // one microtask, so that slices handed over together start the first round together
    while (this.waiting.length > 0) {
      // At most one round publishes while the next is stored: what is held in flight stays bounded.
      await this.publishedBefore;
      const round = this.nextRound();
      let stored: Stored;
      try {
        stored = await this.steps.store(round.map((waiting) => waiting.slice));
      } catch (error) {
        for (const waiting of round) {
          waiting.stored.reject(error);
          waiting.done.reject(error);
        }
        continue;
      }
      for (const waiting of round) waiting.stored.resolve();
      this.publishedBefore = this.publishing;
      this.publishing = this.publishing.then(() =>
        this.steps.publish(stored).then(
          (outcomes) => {
            for (const [index, waiting] of round.entries()) waiting.done.resolve(outcomes[index]!);
          },
          (error: unknown) => {
            for (const waiting of round) waiting.done.reject(error);
          },
        ),
      );
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

interface Settle<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * A promise with its settle functions. It counts as handled from the start: a caller whose
 * `stored` rejected need not wait for `done`, which rejects with the same error.
 */
function settle<T>(): Settle<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
