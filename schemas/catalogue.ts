// Where the JSON Schemas live on disk. The schema files are the single source of the event,
// record, change, dead-letter and heartbeat types; this module only knows their names and loads them.
import { readdirSync, readFileSync } from 'node:fs';

const SCHEMA_DIR = new URL('./', import.meta.url);
const EVENT_SCHEMA_FILE = /^([a-z-]+)\.([a-z0-9-]+)\.schema\.json$/;

export type JsonSchema = Record<string, unknown> & { $id: string; title?: string };

export function loadSchema(relativePath: string): JsonSchema {
  return JSON.parse(readFileSync(new URL(relativePath, SCHEMA_DIR), 'utf8')) as JsonSchema;
}

/** The top-level schemas besides the per-event payload schemas, in a fixed order. */
export const RECORD_SCHEMA_FILES = [
  'common.schema.json',
  'event-envelope.schema.json',
  'citizen-record.schema.json',
  'change.schema.json',
  'dead-letter.schema.json',
  'heartbeat.schema.json',
] as const;

export interface EventSchemaFile {
  source: string;
  type: string;
  file: string;
}

/** Every `events/<source>.<type>.schema.json`, sorted by file name. */
export function listEventSchemaFiles(): EventSchemaFile[] {
  return readdirSync(new URL('events/', SCHEMA_DIR))
    .sort()
    .flatMap((name) => {
      const match = EVENT_SCHEMA_FILE.exec(name);
      return match?.[1] && match[2] ? [{ source: match[1], type: match[2], file: `events/${name}` }] : [];
    });
}
