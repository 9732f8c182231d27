// Just enough DER (ITU-T X.690) to write X.509 certificates with Node's own crypto.
// Why by hand: @peculiar/x509 2.x needs a global Reflect-metadata polyfill (through tsyringe)
// that is not among our dependencies. Only writing is done here; every certificate we write is
// parsed and verified by OpenSSL through node:crypto before it is used (certificate-signing.ts).

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.sequence, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(TAG.set, Buffer.concat(items));
export const boolean = (value: boolean): Buffer => tlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]));
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.octetString, bytes);
export const utf8String = (text: string): Buffer => tlv(TAG.utf8String, Buffer.from(text, 'utf8'));
export const ia5String = (text: string): Buffer => tlv(TAG.ia5String, Buffer.from(text, 'ascii'));
/** A bit string of whole bytes (signatures, keys). */
export const bitString = (bytes: Buffer): Buffer => tlv(TAG.bitString, Buffer.concat([Buffer.from([0]), bytes]));
/** `[n]` wrapping a whole element (EXPLICIT tagging). */
export const explicit = (n: number, element: Buffer): Buffer => tlv(0xa0 | n, element);
/** `[n]` replacing a primitive element's own tag (IMPLICIT tagging). */
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** A non-negative integer from its big-endian bytes, in DER's minimal two's-complement form. */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const needsZero = ((trimmed[0] ?? 0) & 0x80) !== 0;
  return tlv(TAG.integer, needsZero ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export const smallInteger = (value: number): Buffer => unsignedInteger(Buffer.from([value]));

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new Error(`${dotted} is not an object identifier`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) base128.unshift((high % 128) | 0x80);
    bytes.push(...base128);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2035-11-26T04:37:00.000Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(digits.slice(2), 'ascii'));
  return tlv(TAG.generalizedTime, Buffer.from(digits, 'ascii'));
}

/**
 * Named bits (KeyUsage): bit 0 is the most significant bit of the first byte, and DER drops
 * trailing zero bits, counting them as unused.
 */
export function namedBits(bits: number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> bit % 8);
  const unused = 7 - (highest % 8);
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unused]), bytes]));
}

export interface Element {
  tag: number;
  /** The whole element, tag and length included. */
  element: Buffer;
  content: Buffer;
}

/** Reads one element at `offset` (definite lengths only, as DER requires). */
export function readElement(der: Buffer, offset = 0): Element {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new Error('DER ends inside an element header');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER uses a length form this reader does not accept');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > der.length) throw new Error('DER element runs past the end of its data');
  return { tag, element: der.subarray(offset, end), content: der.subarray(offset + header, end) };
}

/** The elements inside a constructed element's content, in order. */
export function children(content: Buffer): Element[] {
  const items: Element[] = [];
  for (let offset = 0; offset < content.length; ) {
    const item = readElement(content, offset);
    items.push(item);
    offset += item.element.length;
  }
  return items;
}
