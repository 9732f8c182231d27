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
const named = async (done: Promise<BatchOutcome>) => ((await done) as BatchOutcome & { name: string }).name;

/**
 * A group whose steps the test holds open and lets go one at a time: `stores` and `publishes`
 * list the rounds each step was called with, by their slices' names, in call order.
 */
function heldGroup(maxRecords?: number) {
  const stores: string[][] = [];
  const publishes: string[][] = [];
  const storing: Array<(error?: Error) => void> = [];
  const publishing: Array<(error?: Error) => void> = [];
  const group = new SliceGroup<string[]>(
    {
      store: (slices) =>
        new Promise((resolve, reject) => {
          const names = slices.map(nameOf);
          stores.push(names);
          storing.push((error) => (error ? reject(error) : resolve(names)));
        }),
      publish: (names) =>
        new Promise((resolve, reject) => {
          publishes.push(names);
          publishing.push((error) => (error ? reject(error) : resolve(names.map(outcome))));
        }),
    },
    maxRecords,
  );
  return {
    group,
    stores,
    publishes,
    /** Lets the oldest store step go, once it was called. */
    store: async (error?: Error) => {
      await expect.poll(() => storing.length).toBeGreaterThan(0);
      storing.shift()!(error);
    },
    /** Lets the oldest publish step go, once it was called. */
    publish: async (error?: Error) => {
      await expect.poll(() => publishing.length).toBeGreaterThan(0);
      publishing.shift()!(error);
    },
  };
}

/** Slice `a` stored in a first round, then `b` stored in a second while `a` still publishes. */
async function twoRoundsStored(held: ReturnType<typeof heldGroup>) {
  const a = held.group.submit(slice('a'));
  await expect.poll(() => held.stores.length).toBe(1);
  await held.store();
  await a.stored;
  const b = held.group.submit(slice('b'));
  await expect.poll(() => held.stores.length).toBe(2);
  await held.store();
  await b.stored;
  return { a, b };
}

describe("slice rounds (group commit of partitions' slices)", () => {
  it('slices handed over together are stored in one round; those arriving meanwhile go together in the next; each gets its own outcome', async () => {
    const { group, stores, store, publish } = heldGroup();
    const a = group.submit(slice('a'));
    const b = group.submit(slice('b'));
    await expect.poll(() => stores.length).toBe(1);
    const c = group.submit(slice('c'));
    const d = group.submit(slice('d'));
    expect(group.queued).toBe(2);
    await store();
    await Promise.all([a.stored, b.stored]);
    await publish();
    expect(await named(a.done)).toBe('a');
    expect(await named(b.done)).toBe('b');
    await expect.poll(() => stores.length).toBe(2);
    await store();
    await publish();
    expect(await named(d.done)).toBe('d');
    expect(await named(c.done)).toBe('c');
    expect(stores).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('R5: the next round is stored while the one before publishes, and rounds publish one at a time in the order they were stored', async () => {
    const held = heldGroup();
    const { publishes, publish } = held;
    // a publishes; b is stored meanwhile, and its publish waits for a's.
    const { a, b } = await twoRoundsStored(held);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(publishes).toEqual([['a']]);
    let bDone = false;
    void b.done.then(() => {
      bDone = true;
    });
    await publish();
    expect(await named(a.done)).toBe('a');
    await expect.poll(() => publishes.length).toBe(2);
    expect(bDone).toBe(false);
    await publish();
    expect(await named(b.done)).toBe('b');
  });

  it('a round is stored only once the round two before it has published: at most one publishes while the next is stored', async () => {
    const held = heldGroup();
    const { group, stores, publish } = held;
    const { a } = await twoRoundsStored(held);
    const c = group.submit(slice('c'));
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(stores).toEqual([['a'], ['b']]);
    await publish();
    await a.done;
    await expect.poll(() => stores.length).toBe(3);
    await held.store();
    await publish();
    await publish();
    await c.done;
  });

  it('a round holds at most maxRecords records, in arrival order', async () => {
    const { group, stores, store, publish } = heldGroup(10);
    const all = [
      group.submit(slice('a', 6)),
      group.submit(slice('b', 4)),
      group.submit(slice('c', 1)),
      group.submit(slice('d', 9)),
      group.submit(slice('e', 1)),
    ];
    for (let round = 1; round <= 3; round++) {
      await expect.poll(() => stores.length).toBe(round);
      await store();
      if (round >= 2) await publish(); // the third round is stored once the first has published
    }
    await publish();
    await Promise.all(all.map((submitted) => submitted.done));
    expect(stores).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('a failed store fails both steps of every slice in its round, and the group goes on; a slice retried alone gets a round of its own', async () => {
    const { group, stores, store, publish } = heldGroup();
    const a = group.submit(slice('a'));
    const b = group.submit(slice('b'));
    await expect.poll(() => stores.length).toBe(1);
    const retried = group.submit(slice('a'), { alone: true });
    const c = group.submit(slice('c'));
    await store(new Error('store refused'));
    await expect(a.stored).rejects.toThrow('store refused');
    await expect(b.done).rejects.toThrow('store refused');
    await expect.poll(() => stores.length).toBe(2);
    await store();
    await publish();
    await retried.done;
    await expect.poll(() => stores.length).toBe(3);
    await store();
    await publish();
    await c.done;
    expect(stores).toEqual([['a', 'b'], ['a'], ['c']]);
  });

  it('a failed publish fails only that round, after it was stored; the next round still publishes', async () => {
    const held = heldGroup();
    const { publishes, publish } = held;
    const { a, b } = await twoRoundsStored(held);
    await publish(new Error('broker away'));
    await expect(a.done).rejects.toThrow('broker away');
    await expect.poll(() => publishes.length).toBe(2);
    await publish();
    expect(await named(b.done)).toBe('b');
  });
});
