// The shape of a batch consumer: one JSON object per input line → one call sequence → one result
// line, in input order. A line that cannot be read becomes an `invalid` result with its line
// number; it never stops the batch. A call the hub could not answer for now (unavailable, rate
// limited) is tried again with backoff before it is reported.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { retrying } from './backoff.ts';
import { Refused } from './refused.ts';

export interface BatchResult {
  outcome: string;
}

export interface InvalidLine extends BatchResult {
  outcome: 'invalid';
  line: number;
  detail: string;
}

/** What a batch consumer is: how it reads a line, answers an item, and reports giving up. */
export interface BatchChecks<Item, Result extends BatchResult> {
  /** Turns a parsed line into an item, or throws an Error whose message says what is wrong. */
  parse: (value: unknown) => Item;
  /** Answers one item; may throw a retryable Refused, which is retried with backoff. */
  check: (item: Item) => Promise<Result>;
  /** The result line for an item still refused after the retries (the hub stayed unreachable). */
  gaveUp: (item: Item, refused: Refused) => Result;
}

export interface JsonlBatchOptions<Item, Result extends BatchResult> extends BatchChecks<Item, Result> {
  input: string;
  output: string;
  signal?: AbortSignal;
  onResult?: (result: Result | InvalidLine) => void;
}

/** Result lines per outcome. */
export type BatchSummary = Record<string, number>;

export async function runJsonlBatch<Item, Result extends BatchResult>(options: JsonlBatchOptions<Item, Result>): Promise<BatchSummary> {
  const summary: BatchSummary = {};
  const out = await open(options.output, 'w');
  try {
    const lines = createInterface({ input: createReadStream(options.input, { encoding: 'utf8' }), crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (options.signal?.aborted) break;
      const text = lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line;
      if (text.trim() === '') continue;
      const read = readLine(text, lineNumber, options.parse);
      const result = 'invalid' in read ? read.invalid : await checked(read.item, options);
      summary[result.outcome] = (summary[result.outcome] ?? 0) + 1;
      await out.write(`${JSON.stringify(result)}\n`);
      options.onResult?.(result);
    }
  } finally {
    await out.close();
  }
  return summary;
}

async function checked<Item, Result extends BatchResult>(item: Item, options: JsonlBatchOptions<Item, Result>): Promise<Result> {
  try {
    return await retrying(() => options.check(item), options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (error instanceof Refused) return options.gaveUp(item, error);
    throw error;
  }
}

function readLine<Item>(text: string, line: number, parse: (value: unknown) => Item): { item: Item } | { invalid: InvalidLine } {
  try {
    return { item: parse(JSON.parse(text)) };
  } catch (error) {
    return {
      invalid: {
        outcome: 'invalid',
        line,
        detail: error instanceof SyntaxError ? `not valid JSON: ${error.message}` : (error as Error).message,
      },
    };
  }
}

/** Reads a required text property of an input object, with an error a person can act on. */
export function requiredText(value: Record<string, unknown>, key: string): string {
  const text = value[key];
  if (typeof text !== 'string' || text.trim() === '') throw new Error(`"${key}" is required and must be text`);
  return text;
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
