// Store rounds in lanes, one per source partition number, running at once. Every source topic
// has the same number of partitions and is keyed by personal id (kafka/topics.ts), and producers
// place a key with the same partitioner, so a citizen's events sit on the same partition number in
// every source topic: two lanes never hold the same citizen, and their rounds need not wait for
// each other. Within a lane, rounds are stored one at a time and publish one at a time, in the same
// order (slice-group.ts; the next round is stored while the one before publishes), and a partition
// always goes to the same lane, so per-partition and per-citizen order hold as before.
//
// Were a producer to place keys otherwise, two lanes could meet on a citizen: the compare-and-set
// write (population-store.ts) then sends one of them back to read and merge again, so the result
// is still right, only slower.
import type { CheckedSlice } from './ingest-batch.ts';
import { type RoundSteps, SliceGroup, type SubmittedSlice } from './slice-group.ts';

export class StoreLanes<Stored> {
  private readonly lanes: SliceGroup<Stored>[];

  constructor(
    /** Partitions of each source topic: one lane per partition number. */
    count: number,
    steps: RoundSteps<Stored>,
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`a store needs at least one lane, not ${count}`);
    this.lanes = Array.from({ length: count }, () => new SliceGroup(steps));
  }

  /** Hands the slice to the lane of its partition number (see SliceGroup.submit). */
  submit(slice: CheckedSlice, options: { alone?: boolean } = {}): SubmittedSlice {
    const partition = slice.records[0]?.partition ?? 0;
    return this.lanes[partition % this.lanes.length]!.submit(slice, options);
  }

  /** Slices waiting for a round, in all lanes. */
  get queued(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.queued, 0);
  }
}
