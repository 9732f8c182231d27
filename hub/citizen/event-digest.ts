// What makes two events with the same id the same event: the SHA-256 of the canonical JSON
// (RFC 8785) of the validated event. A redelivery has the same digest and is a silent
// duplicate; a different event reusing the id has another digest and is a conflict.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { SourceEvent } from '../../schemas/source-event.ts';

export function eventDigest(event: SourceEvent): string {
  return createHash('sha256').update(canonicalize(event)!).digest('base64url');
}
