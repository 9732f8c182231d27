import { HEADERS } from '../../kafka/topics.ts';
import { validTraceparent } from '../../kafka/trace-context.ts';

/** Headers for a record the hub derives from a source record: they carry on its trace. */
export function traced(headers: Record<string, string>, traceparent: string | undefined): Record<string, string> {
  const valid = validTraceparent(traceparent);
  return valid ? { ...headers, [HEADERS.traceparent]: valid } : headers;
}
