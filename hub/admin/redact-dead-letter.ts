// A dead letter as operators see it by default (`dancu dlq list`, the dashboard): where it came
// from, why, and the shape of the problem — never the values. The original bytes, the key (a
// personal id) and the header values hold personal data; one letter is shown whole only to a
// registered officer who says why, and that read is journaled (`dancu dlq show`).
import type { QueuedDeadLetter } from '../ingest/dead-letter-queue.ts';
import { redactValues } from './redact-values.ts';

/** The letter without its original bytes; key, detail and header values redacted, header names kept. */
export type RedactedDeadLetter = Omit<QueuedDeadLetter, 'originalValueBase64'>;

export function redactDeadLetter(letter: QueuedDeadLetter): RedactedDeadLetter {
  const { originalValueBase64: _original, ...rest } = letter;
  return {
    ...rest,
    key: letter.key == null ? null : redactValues(letter.key),
    detail: redactValues(letter.detail),
    // Letters written by older hubs may lack parts the schema now requires.
    headers: Object.fromEntries(Object.keys(letter.headers ?? {}).map((name) => [name, '…'])),
  };
}
