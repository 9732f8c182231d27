import { describe, expect, it } from 'vitest';
import { children, namedBits, oid, readElement, sequence, time, unsignedInteger } from './der.ts';

const hex = (bytes: Buffer): string => bytes.toString('hex');

describe('the DER writer behind our certificates', () => {
  it('writes integers in minimal two\'s-complement form', () => {
    expect(hex(unsignedInteger(Buffer.from([0x00, 0x00, 0x05])))).toBe('020105');
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0x00])))).toBe('020100');
  });

  it('writes object identifiers, including arcs above 127', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280)', () => {
    expect(time(new Date('2049-12-31T23:59:59.900Z')).subarray(2).toString()).toBe('491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).subarray(2).toString()).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  it('drops trailing zero bits of named bit strings', () => {
    expect(hex(namedBits([5, 6]))).toBe('03020106'); // keyCertSign, cRLSign
    expect(hex(namedBits([0]))).toBe('03020780'); // digitalSignature
  });

  it('reads back long-form lengths', () => {
    const long = sequence(Buffer.alloc(300, 0x05));
    const element = readElement(long);
    expect(element.content.length).toBe(300);
    expect(children(readElement(sequence(oid('2.5.4.3'), oid('2.5.4.10'))).content).map((child) => child.tag)).toEqual([0x06, 0x06]);
  });
});
