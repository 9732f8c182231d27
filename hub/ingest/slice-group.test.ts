import { describe, expect, it } from 'vitest';
import type { BatchOutcome, CheckedSlice } from './ingest-batch.ts';
import { SliceGroup } from './slice-group.ts';

/** A slice of `size` records whose first record names it. */
function slice(name: string, size = 1): CheckedSlice {
  const records = Array.from({ length: size }, (_, index) => ({
    topic: name,
    partition: 0,
    offset: String(index),
    key: null,
    value: null,
    headers: {},
  }));
  return { records, traces: [], accepted: [], deadLetters: [], rejected: {} } as unknown as CheckedSlice;
}
const nameOf = (checked: CheckedSlice) => checked.records[0]!.topic;
const outcome = (name: string) =>
  ({ source: null, received: 0, applied: 0, duplicates: 0, rejected: {}, changes: 0, name }) as BatchOutcome & { name: string };

/** A group whose rounds the test holds open and lets go one at a time. */
function heldGroup(maxRecords?: number) {
  const rounds: string[][] = [];
  const release: Array<(error?: Error) => void> = [];
  const group = new SliceGroup(
    (slices) =>
      new Promise((resolve, reject) => {
        rounds.push(slices.map(nameOf));
        release.push((error) => (error ? reject(error) : resolve(slices.map((checked) => outcome(nameOf(checked))))));
      }),
    maxRecords,
  );
  return { group, rounds, next: (error?: Error) => release.shift()!(error) };
}

describe("slice rounds (group commit of partitions' slices)", () => {
  it('slices handed over together go in one round; those arriving while it runs go together in the next; each gets its own outcome', async () => {
    const { group, rounds, next } = heldGroup();
    const a = group.submit(slice('a'));
    const b = group.submit(slice('b'));
    await expect.poll(() => rounds.length).toBe(1);
    const c = group.submit(slice('c'));
    const d = group.submit(slice('d'));
    expect(group.queued).toBe(2);
    next();
    expect(((await a) as BatchOutcome & { name: string }).name).toBe('a');
    expect(((await b) as BatchOutcome & { name: string }).name).toBe('b');
    await expect.poll(() => rounds.length).toBe(2);
    next();
    expect(((await d) as BatchOutcome & { name: string }).name).toBe('d');
    await c;
    expect(rounds).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('a round holds at most maxRecords records, in arrival order', async () => {
    const { group, rounds, next } = heldGroup(10);
    const all = [
      group.submit(slice('a', 6)),
      group.submit(slice('b', 4)),
      group.submit(slice('c', 1)),
      group.submit(slice('d', 9)),
      group.submit(slice('e', 1)),
    ];
    for (let round = 1; round <= 3; round++) {
      await expect.poll(() => rounds.length).toBe(round);
      next();
    }
    await Promise.all(all);
    expect(rounds).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('a failed round fails every slice in it, and the group goes on with the next round; a slice retried alone gets a round of its own', async () => {
    const { group, rounds, next } = heldGroup();
    const a = group.submit(slice('a'));
    const b = group.submit(slice('b'));
    await expect.poll(() => rounds.length).toBe(1);
    const retried = group.submit(slice('a'), { alone: true });
    const c = group.submit(slice('c'));
    next(new Error('store refused'));
    await expect(a).rejects.toThrow('store refused');
    await expect(b).rejects.toThrow('store refused');
    await expect.poll(() => rounds.length).toBe(2);
    next();
    await retried;
    await expect.poll(() => rounds.length).toBe(3);
    next();
    await c;
    expect(rounds).toEqual([['a', 'b'], ['a'], ['c']]);
  });
});
