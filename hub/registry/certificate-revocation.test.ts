import { describe, expect, it } from 'vitest';
import { normaliseFingerprint, revocationTarget } from './certificate-revocation.ts';

const HEX = 'ab'.repeat(32);
const WRITTEN = Array.from({ length: 32 }, () => 'AB').join(':');

describe('naming a certificate to revoke', () => {
  it('a fingerprint with or without colons, in either case, names one certificate; anything else names its holder', () => {
    expect(normaliseFingerprint(HEX)).toBe(WRITTEN);
    expect(normaliseFingerprint(WRITTEN.toLowerCase())).toBe(WRITTEN);
    expect(normaliseFingerprint('AB:CD')).toBeNull();
    expect(revocationTarget(HEX, 'system')).toEqual({ fingerprint: WRITTEN });
    expect(revocationTarget('vss-insurance', 'system')).toEqual({ system: 'vss-insurance' });
    expect(revocationTarget('c06-head', 'operator')).toEqual({ operator: 'c06-head' });
  });
});
