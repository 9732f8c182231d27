// A rejected record goes to dancu.dlq.v1 whole: the original bytes, where it came from, and why.
import type { Span } from '@opentelemetry/api';
import { withTraceContext } from '../../kafka/trace-context.ts';
import type { RawRecord, OutgoingRecord } from '../../kafka/transport.ts';
import { HEADERS } from '../../kafka/topics.ts';
import type { RejectReason } from '../../schemas/validate-event.ts';

export interface Rejection {
  reason: RejectReason;
  detail: string;
  path?: string;
}

export interface DeadLetter extends Rejection {
  sourceTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  originalValueBase64: string;
  headers: Record<string, string>;
  rejectedAt: string;
}

export function deadLetterOf(record: RawRecord, rejection: Rejection, now = new Date()): DeadLetter {
  return {
    reason: rejection.reason,
    detail: rejection.detail,
    ...(rejection.path === undefined ? {} : { path: rejection.path }),
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key ? record.key.toString('utf8') : null,
    originalValueBase64: record.value ? record.value.toString('base64') : '',
    headers: record.headers,
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
