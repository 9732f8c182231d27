import { describe, expect, it } from 'vitest';
import type { BatchOutcome, CheckedSlice } from './ingest-batch.ts';
import { StoreLanes } from './store-lanes.ts';

/** A one-record slice of `topic`'s partition `partition`. */
function slice(topic: string, partition: number): CheckedSlice {
  const records = [{ topic, partition, offset: '0', key: null, value: null, headers: {} }];
  return { records, traces: [], accepted: [], deadLetters: [], rejected: {} } as unknown as CheckedSlice;
}
const outcome = { source: null, received: 1, applied: 1, duplicates: 0, rejected: {}, changes: 0 } satisfies BatchOutcome;

/** Lanes whose store steps the test holds open: `open` lists the rounds being stored, by their slices' "topic[partition]". */
function heldLanes(count: number) {
  const open: string[][] = [];
  const release = new Map<string, () => void>();
  const lanes = new StoreLanes<number>(count, {
    store: (slices) =>
      new Promise((resolve) => {
        const names = slices.map((checked) => `${checked.records[0]!.topic}[${checked.records[0]!.partition}]`);
        open.push(names);
        release.set(names[0]!, () => {
          open.splice(open.indexOf(names), 1);
          resolve(slices.length);
        });
      }),
    publish: async (count) => Array.from({ length: count }, () => outcome),
  });
  return { lanes, open, finish: (name: string) => release.get(name)!() };
}

describe('store lanes (rounds of different partition numbers at once)', () => {
  it('R26: slices of different partition numbers are applied at once, each in its own round', async () => {
    const { lanes, open, finish } = heldLanes(3);
    const done = [lanes.submit(slice('civil-status', 0)), lanes.submit(slice('civil-status', 1)), lanes.submit(slice('health', 2))];
    await expect.poll(() => open.length).toBe(3);
    for (const name of ['civil-status[0]', 'civil-status[1]', 'health[2]']) finish(name);
    await expect(Promise.all(done.map((submitted) => submitted.done))).resolves.toHaveLength(3);
  });

  it("R5: the same partition number of every source topic shares a lane (a citizen's events, whatever their source), one round stored at a time", async () => {
    const { lanes, open, finish } = heldLanes(3);
    const first = lanes.submit(slice('civil-status', 1));
    await expect.poll(() => open.length).toBe(1);
    const second = lanes.submit(slice('residence', 1));
    const third = lanes.submit(slice('health', 4)); // 4 % 3: the same lane
    expect(lanes.queued).toBe(2);
    expect(open).toEqual([['civil-status[1]']]);
    finish('civil-status[1]');
    await first.done;
    await expect.poll(() => open).toEqual([['residence[1]', 'health[4]']]);
    finish('residence[1]');
    await expect(Promise.all([second.done, third.done])).resolves.toHaveLength(2);
  });

  it('refuses a count of lanes below one', () => {
    expect(() => new StoreLanes(0, { store: async () => 0, publish: async () => [] })).toThrow(/at least one lane/);
  });
});
