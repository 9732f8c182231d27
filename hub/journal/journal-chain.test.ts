import { describe, expect, it } from 'vitest';
import { documentId, entryReference, parseEntryReference, SHARED_CHAIN } from './journal-chain.ts';

describe('how a journal entry is quoted', () => {
  it('R35: a reference is <chain>:<sequence>, and reads back to the same place, on an instance chain and on the shared one', () => {
    for (const place of [
      { chain: 'hub-7f9c-0', sequence: 1234 },
      { chain: SHARED_CHAIN, sequence: 1 },
    ]) {
      expect(parseEntryReference(entryReference(place))).toEqual(place);
    }
    expect(entryReference({ chain: 'hub-a', sequence: 7 })).toBe('hub-a:7');
    expect(parseEntryReference('42')).toEqual({ chain: SHARED_CHAIN, sequence: 42 }); // a bare number: the shared chain
    expect(documentId(SHARED_CHAIN, 42)).toBe(42);
  });

  it('anything else names no entry, and says how to quote one', () => {
    for (const bad of [
      '',
      'hub-a:',
      ':12',
      'hub-a:0',
      'hub-a:-1',
      'hub-a:1.5',
      'hub a:3',
      'a:b:3',
      `${'x'.repeat(65)}:1`,
      'hub-a:12345678901234567',
      '$where:1',
    ]) {
      expect(parseEntryReference(bad), bad).toEqual({ problem: expect.stringContaining('<chain>:<sequence>') });
    }
  });
});
