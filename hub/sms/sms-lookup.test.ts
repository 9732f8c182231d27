import { describe, expect, it } from 'vitest';
import { internationalMobile } from '../../schemas/phone-number.ts';
import { maskedNumber, parseSms } from './sms-lookup.ts';

describe('the SMS syntax and numbers', () => {
  it('R20: "DC <personal id>" in any case and spacing names a personal id; anything else is not the syntax', () => {
    expect(parseSms('DC 001090012345')).toBe('001090012345');
    expect(parseSms('  dc   001090012345 ')).toBe('001090012345');
    expect(parseSms('DC001090012345')).toBeNull();
    expect(parseSms('DC 00109001234')).toBeNull();
    expect(parseSms('DC 999090012345')).toBeNull(); // no such province
    expect(parseSms('TC 001090012345')).toBeNull();
  });

  it("R20: carriers' and registers' ways of writing a mobile number become +84 form; the journal keeps it masked", () => {
    for (const written of ['84912345678', '+84912345678', '0912345678', '0912 345 678', '+84 912.345.678'])
      expect(internationalMobile(written)).toBe('+84912345678');
    for (const other of ['0212345678', '8088', '+1 415 555 0100', '']) expect(internationalMobile(other)).toBeNull();
    expect(maskedNumber('+84912345678')).toBe('+84…678');
  });
});
