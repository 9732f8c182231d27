// A rejected record goes to dancu.dlq.v1: where it came from, why, and its original bytes when
// they fit. A letter must always fit a Kafka record — a letter the broker refuses would leave
// the rejected record neither applied nor dead-lettered, and ingest could not move past it — so
// every part a hostile producer controls is bounded: an original over ORIGINAL_LIMIT is kept as
// its digest and size (its position names where to fetch it while the source topic retains it),
// oversized headers are left out, a long key or detail is cut. `truncated` says what was.
import { createHash } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import type { OutgoingRecord, RawRecord } from '../../kafka/records.ts';
import { HEADERS } from '../../kafka/topics.ts';
import type { DeadLetter } from '../../schemas/types.ts';
import type { RejectReason } from '../../schemas/validate-event.ts';
import { withTraceContext } from '../../telemetry/trace-context.ts';

export type { DeadLetter } from '../../schemas/types.ts';

export interface Rejection {
  reason: RejectReason;
  detail: string;
  path?: string;
}

/** Originals up to this size are kept whole in the letter (base64 makes them a third larger). */
export const ORIGINAL_LIMIT = 128 * 1024;
/** All headers together, names and values; beyond it the letter carries none. */
export const HEADERS_LIMIT = 16 * 1024;
export const KEY_LIMIT = 1024;
export const DETAIL_LIMIT = 2000;
export const PATH_LIMIT = 500;

type Truncated = NonNullable<DeadLetter['truncated']>[number];

export function deadLetterOf(record: RawRecord, rejection: Rejection, now = new Date()): DeadLetter {
  const truncated: Truncated[] = [];
  const value = record.value ?? Buffer.alloc(0);
  const included = value.length <= ORIGINAL_LIMIT;
  if (!included) truncated.push('original');
  const key = record.key ? record.key.toString('utf8') : null;
  const keyFits = key === null || key.length <= KEY_LIMIT;
  if (!keyFits) truncated.push('key');
  const headersFit = headerBytes(record.headers) <= HEADERS_LIMIT;
  if (!headersFit) truncated.push('headers');
  const detail = cut(rejection.detail, DETAIL_LIMIT, () => truncated.push('detail'));
  const path = rejection.path === undefined ? undefined : cut(rejection.path, PATH_LIMIT, () => truncated.push('path'));
  return {
    reason: rejection.reason,
    detail,
    ...(path === undefined ? {} : { path }),
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: keyFits ? key : null,
    original: { bytes: value.length, sha256: createHash('sha256').update(value).digest('hex'), included },
    ...(included ? { originalValueBase64: value.toString('base64') } : {}),
    headers: headersFit ? record.headers : {},
    ...(truncated.length > 0 ? { truncated } : {}),
    rejectedAt: now.toISOString(),
  };
}

/** `send` is the span of this letter's publish: the letter carries on the rejected record's trace. */
export function deadLetterRecord(letter: DeadLetter, send: Span): OutgoingRecord {
  return {
    // Keyed by origin so a replayed batch lands on the same partition, next to its first copy.
    key: `${letter.sourceTopic}/${letter.partition}/${letter.offset}`,
    value: JSON.stringify(letter),
    headers: withTraceContext({ [HEADERS.reason]: letter.reason }, send),
  };
}

function headerBytes(headers: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

function cut(text: string, limit: number, onCut: () => void): string {
  if (text.length <= limit) return text;
  onCut();
  return `${text.slice(0, limit - 1)}…`;
}
