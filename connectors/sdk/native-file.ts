// Native record files as sectoral systems export them: JSONL/NDJSON (one flat object per line)
// or CSV (a header row, then one record per row). A bad line or row becomes an error item with
// its position; it never stops the file.

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

export type NativeFileItem = { position: number; record: Record<string, string> } | { position: number; error: string };

type Format = 'jsonl' | 'csv';

function formatOf(path: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new Error(`cannot read "${path}": native files must end in .jsonl, .ndjson or .csv`);
}

/** Reads records in file order; `position` is the 1-based record number (blank lines do not count). */
export async function* readNativeFile(path: string): AsyncGenerator<NativeFileItem> {
  if (formatOf(path) === 'jsonl') yield* readJsonLines(path);
  else yield* readCsv(path);
}

async function* readJsonLines(path: string): AsyncGenerator<NativeFileItem> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let position = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    const text = lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') continue;
    position += 1;
    yield toItem(position, lineNumber, text);
  }
}

function toItem(position: number, lineNumber: number, text: string): NativeFileItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { position, error: `line ${lineNumber} is not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { position, error: `line ${lineNumber} must be a JSON object with one field per column` };
  }
  const record: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    if (typeof field === 'string') record[key] = field;
    else if (typeof field === 'number' || typeof field === 'boolean') record[key] = String(field);
    else
      return {
        position,
        error: `line ${lineNumber}: field "${key}" must be text, not a nested ${Array.isArray(field) ? 'array' : 'object'}`,
      };
  }
  return { position, record };
}

async function* readCsv(path: string): AsyncGenerator<NativeFileItem> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | undefined;
  let position = 0;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = row.map((name) => name.trim());
        continue;
      }
      position += 1;
      if (row.length !== header.length) {
        yield { position, error: `line ${info.lines} has ${row.length} fields but the header has ${header.length}` };
        continue;
      }
      const record: Record<string, string> = {};
      header.forEach((column, i) => {
        const field = row[i];
        if (field !== undefined && field !== '') record[column] = field;
      });
      yield { position, record };
    }
  } catch (error) {
    // A CSV syntax error leaves the parser unable to find the next record boundary.
    yield { position: position + 1, error: `the CSV cannot be read past record ${position}: ${(error as Error).message}` };
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes records as JSONL/NDJSON or CSV (by extension) with the given column order; returns the count. */
export async function writeNativeFile(
  path: string,
  records: Iterable<Record<string, string>> | AsyncIterable<Record<string, string>>,
  columns: readonly string[],
): Promise<number> {
  const format = formatOf(path);
  const out = createWriteStream(path, { encoding: 'utf8' });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let count = 0;
  try {
    if (format === 'csv') await write(`${columns.map(csvField).join(',')}\n`);
    for await (const record of records) {
      if (format === 'csv') {
        await write(`${columns.map((column) => csvField(record[column] ?? '')).join(',')}\n`);
      } else {
        const ordered: Record<string, string> = {};
        for (const column of columns) {
          const value = record[column];
          if (value !== undefined && value !== '') ordered[column] = value;
        }
        await write(`${JSON.stringify(ordered)}\n`);
      }
      count += 1;
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return count;
}
