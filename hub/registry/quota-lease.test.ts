import { describe, expect, it } from 'vitest';
import { BLOCK_UNITS, blockUnits } from './quota-lease.ts';

describe('quota lease blocks', () => {
  it('R23: the blocks of a day add up to exactly its limit, whatever the limit', () => {
    for (const limit of [1, 2, 99, 100, 101, 250, 10_000]) {
      let sum = 0;
      for (let block = 1; blockUnits(block, limit) > 0; block++) {
        expect(blockUnits(block, limit)).toBeLessThanOrEqual(BLOCK_UNITS);
        sum += blockUnits(block, limit);
      }
      expect(sum).toBe(limit);
    }
  });
});
