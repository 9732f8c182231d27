import { describe, expect, it } from 'vitest';
import { canonicalEntry, entryHash, GENESIS_HASH, sealEntry, type UnhashedEntry, withoutUndefined } from './hash-chain.ts';
import { addYears } from './journal.ts';

function entry(sequence: number, previousHash: string, extra: Partial<UnhashedEntry> = {}): UnhashedEntry {
  const at = new Date(Date.UTC(2025, 0, 1, 8, 0, sequence));
  return {
    _id: sequence,
    act: 'exchange',
    action: 'Lookup',
    actor: { system: 'CN=bhxh-portal', organisation: 'BHXH' },
    citizens: ['001090012345'],
    fields: ['fullName', 'dateOfBirth'],
    agreement: 'agr-7',
    decision: 'allowed',
    at,
    expiresAt: addYears(at, 2),
    writer: 'hub-a',
    previousHash,
    ...extra,
  };
}

describe('the journal hash chain', () => {
  it('R35: the canonical form is RFC 8785 JSON with dates as ISO strings and without the hash', () => {
    const sealed = sealEntry(entry(1, GENESIS_HASH));
    const text = canonicalEntry(sealed);
    expect(text).not.toContain(sealed.hash);
    expect(text).toContain('"at":"2025-01-01T08:00:01.000Z"');
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('R35: the hash is hex SHA-256 and ignores key order and undefined fields, as the store returns them', () => {
    const original = entry(1, GENESIS_HASH);
    const reordered = Object.fromEntries(Object.entries({ ...original, purpose: undefined }).reverse()) as UnhashedEntry;
    expect(entryHash(original)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(reordered)).toBe(entryHash(original));
    expect(withoutUndefined({ a: 1, b: undefined, c: { d: undefined, at: original.at } })).toEqual({ a: 1, c: { at: original.at } });
  });

  it('R35: changing any stored field, the position or the link changes the hash', () => {
    const base = entry(2, 'a'.repeat(64));
    const hash = entryHash(base);
    expect(entryHash({ ...base, citizens: ['001090099999'] })).not.toBe(hash);
    expect(entryHash({ ...base, decision: 'refused' })).not.toBe(hash);
    expect(entryHash({ ...base, _id: 3 })).not.toBe(hash);
    expect(entryHash({ ...base, previousHash: 'b'.repeat(64) })).not.toBe(hash);
    expect(entryHash({ ...base, at: new Date(base.at.getTime() + 1) })).not.toBe(hash);
  });

  it('R35: entries are kept two calendar years, a leap day moving forward, never back', () => {
    expect(addYears(new Date('2024-02-29T10:00:00Z'), 2).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(addYears(new Date('2025-06-30T23:59:59.999Z'), 2).toISOString()).toBe('2027-06-30T23:59:59.999Z');
  });
});
