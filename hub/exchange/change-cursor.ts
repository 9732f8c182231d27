// The WatchChanges cursor: the next offset of every partition of dancu.changes.v1, bound to the
// agreement it was given under and authenticated by the hub. Every delivered change carries the
// cursor just past it, so a consumer that stores the cursor with its own data resumes exactly
// there, without gaps. The format (opaque to consumers, who store it and give it back):
//
//   base64url(JSON {"v":2,"a":"<agreement id>","p":[[partition,"offset"],…]}) "." base64url(HMAC-SHA256 of the part before the dot)
//
// An unsigned cursor would let a consumer write its own positions and replay the whole retained
// feed (7 days), and one agreement's cursor could be used under another: so the key is the
// hub's, derived (HKDF-SHA256) from its journal signing key (`hub-signing.key.pem`, made by
// `dancu pki init`). Every hub instance sharing the PKI accepts every other's cursors; replacing
// the signing key invalidates outstanding cursors (consumers resynchronise, as after an expiry).
import { createHmac, hkdfSync, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TopicPositions } from '../../kafka/topic-tail.ts';
import { refuse } from './refusal.ts';

const VERSION = 2;
const MAX_CHARS = 4096;

export class CursorCodec {
  private constructor(private readonly key: Buffer) {}

  /** The hub's cursor key, from its journal signing key; without one (no PKI, development only) a key for this process's life. */
  static forHub(signingKey: KeyObject | undefined): CursorCodec {
    if (!signingKey) return new CursorCodec(randomBytes(32));
    const secret = signingKey.export({ format: 'der', type: 'pkcs8' });
    return new CursorCodec(Buffer.from(hkdfSync('sha256', secret, 'dancu', 'watch-changes cursor v2', 32)));
  }

  encode(agreementId: string, positions: TopicPositions): string {
    const entries = [...positions].sort(([a], [b]) => a - b).map(([partition, offset]) => [partition, offset]);
    const payload = Buffer.from(JSON.stringify({ v: VERSION, a: agreementId, p: entries })).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** Empty text: start from now (null). Anything not signed by this hub for this agreement is INVALID_ARGUMENT. */
  decode(text: string, agreementId: string): TopicPositions | null {
    if (text === '') return null;
    const invalid = () =>
      refuse(
        'INVALID_REQUEST',
        'cursor is not one this hub gave out under this agreement; pass the cursor of the last change you processed, or an empty one to start from now',
      );
    const parts = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(text);
    if (text.length > MAX_CHARS || !parts) invalid();
    const [, payload, signature] = parts!;
    if (!timingSafeEqual(this.sign(payload!), Buffer.from(signature!, 'base64url'))) invalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    } catch {
      invalid();
    }
    const shape = parsed as { v?: unknown; a?: unknown; p?: unknown };
    if (shape?.v !== VERSION || shape.a !== agreementId || !Array.isArray(shape.p)) invalid();
    const positions: TopicPositions = new Map();
    for (const entry of shape.p as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2) invalid();
      const [partition, offset] = entry as [unknown, unknown];
      if (!Number.isInteger(partition) || (partition as number) < 0 || typeof offset !== 'string' || !/^[0-9]{1,19}$/.test(offset))
        invalid();
      positions.set(partition as number, offset as string);
    }
    return positions;
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
