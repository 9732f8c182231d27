// The WatchChanges cursor: the next offset of every partition of dancu.changes.v1, as an opaque
// base64url string. Every delivered change carries the cursor just past it, so a consumer that
// stores the cursor with its own data resumes exactly there, without gaps.
import type { TopicPositions } from '../../kafka/transport.ts';
import { refuse } from './refusal.ts';

const VERSION = 1;

export function encodeCursor(positions: TopicPositions): string {
  const entries = [...positions].sort(([a], [b]) => a - b).map(([partition, offset]) => [partition, offset]);
  return Buffer.from(JSON.stringify({ v: VERSION, p: entries })).toString('base64url');
}

/** Empty text: start from now (null). Anything unreadable is INVALID_ARGUMENT. */
export function decodeCursor(text: string): TopicPositions | null {
  if (text === '') return null;
  const invalid = () => refuse('INVALID_REQUEST', 'cursor is not one this hub gave out; pass the cursor of the last change you processed, or an empty one to start from now');
  if (text.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(text)) invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  const shape = parsed as { v?: unknown; p?: unknown };
  if (shape?.v !== VERSION || !Array.isArray(shape.p)) invalid();
  const positions: TopicPositions = new Map();
  for (const entry of shape.p as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) invalid();
    const [partition, offset] = entry as [unknown, unknown];
    if (!Number.isInteger(partition) || (partition as number) < 0 || typeof offset !== 'string' || !/^[0-9]{1,19}$/.test(offset)) invalid();
    positions.set(partition as number, offset as string);
  }
  return positions;
}
