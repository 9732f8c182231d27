// Event ids are UUID v5 (RFC 4122 §4.3) of `<source>:<native record id>`: a source record
// published twice carries the same event id, so the hub can drop the duplicate.
import { createHash, hash } from 'node:crypto';
import type { SourceName } from './sources.ts';

/** The dancu namespace for name-based event ids (fixed forever: changing it changes every id). */
export const EVENT_ID_NAMESPACE = '6f1c9a52-8a3e-4d4b-9f0e-0d6a6e2b7c11';

const NAMESPACE_BYTES = Buffer.from(EVENT_ID_NAMESPACE.replace(/-/g, ''), 'hex');
const VARIANT = '89ab';

function sha1Hex(namespace: Buffer, name: string): string {
  const data = Buffer.concat([namespace, Buffer.from(name, 'utf8')]);
  // crypto.hash (Node ≥ 20.12) is the one-shot form, about twice as fast as createHash.
  return typeof hash === 'function' ? hash('sha1', data, 'hex') : createHash('sha1').update(data).digest('hex');
}

/** A name-based UUID, version 5: the first 16 bytes of SHA-1(namespace ‖ name) with version and variant bits set. */
export function uuidV5(name: string, namespace: Buffer = NAMESPACE_BYTES): string {
  const hex = sha1Hex(namespace, name);
  const variant = VARIANT[Number.parseInt(hex.charAt(16), 16) & 0x3] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function eventIdFor(source: SourceName, nativeRecordId: string): string {
  return uuidV5(`${source}:${nativeRecordId}`);
}
