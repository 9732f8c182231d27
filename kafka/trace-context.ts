// W3C Trace Context (https://www.w3.org/TR/trace-context/) on Kafka records: the `traceparent`
// header ties a source record, its dead letter and the changes it caused into one trace.
// Until the OpenTelemetry SDK is wired in (it will then make these from real spans), a
// connector starts a new trace for each record it publishes.
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A new sampled trace: version 00, random trace id and parent id, flags 01. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The header value if it is a valid version-00 traceparent, else undefined (never trust the wire). */
export function validTraceparent(value: string | undefined): string | undefined {
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}
