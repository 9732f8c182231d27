import { describe, expect, it } from 'vitest';
import { RateLimits } from './rate-limits.ts';

describe('rate limits shared by hub instances', () => {
  it('R22: one instance alone allows the agreement its whole rate, refilled over the second', () => {
    let now = 0;
    const limits = new RateLimits({ clock: () => now });
    expect(Array.from({ length: 12 }, () => limits.take('a', 10)).filter(Boolean)).toHaveLength(10);
    now += 500;
    expect(Array.from({ length: 12 }, () => limits.take('a', 10)).filter(Boolean)).toHaveLength(5);
    expect(limits.take('b', 10)).toBe(true); // agreements do not share a bucket
  });

  it('R22: with n live instances each allows rate / n, so together they allow the rate', () => {
    let now = 0;
    let live = 4;
    const instances = [1, 2, 3, 4].map(() => new RateLimits({ clock: () => now, instances: () => live }));
    const allowed = () =>
      instances.map((limits) => Array.from({ length: 20 }, () => limits.take('a', 20)).filter(Boolean).length).reduce((a, b) => a + b, 0);
    expect(allowed()).toBe(20);
    now += 1000;
    expect(allowed()).toBe(20);
    // A rate below the number of instances: each still allows one call at a time, refilled slowly.
    live = 4;
    now += 10_000;
    expect(instances.map((limits) => [limits.take('slow', 2), limits.take('slow', 2)].filter(Boolean).length)).toEqual([1, 1, 1, 1]);
    now += 1000;
    expect(instances.map((limits) => limits.take('slow', 2)).filter(Boolean)).toHaveLength(0);
    now += 1000;
    expect(instances.map((limits) => limits.take('slow', 2)).filter(Boolean)).toHaveLength(4);
  });
});
