import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listEventSchemaFiles, loadSchema, RECORD_SCHEMA_FILES } from './catalogue.ts';
import { generateTypes } from './generate-types.ts';
import { SOURCES } from './sources.ts';
import { EVENT_TYPES } from './types.ts';

describe('schemas and generated types', () => {
  it('schemas/types.ts is up to date with the JSON Schemas (run `npm run schemas:types` if not)', async () => {
    const current = readFileSync(new URL('./types.ts', import.meta.url), 'utf8');
    expect(await generateTypes()).toBe(current);
  }, 30_000);

  it('every source has event schemas, and every event schema file is named <source>.<type>', () => {
    const files = listEventSchemaFiles();
    for (const source of SOURCES) expect(EVENT_TYPES[source].length).toBeGreaterThan(0);
    expect(files.map((f) => `${f.source}/${f.type}`).sort()).toEqual(
      SOURCES.flatMap((source) => EVENT_TYPES[source].map((type) => `${source}/${type}`)).sort(),
    );
  });

  it('every schema has a dancu: $id (no web hosts) matching its file, and event payloads forbid unknown fields', () => {
    for (const { source, type, file } of listEventSchemaFiles()) {
      const schema = loadSchema(file);
      expect(schema.$id).toBe(`dancu:events/${source}/${type}/v1`);
      expect(schema.additionalProperties).toBe(false);
    }
    for (const file of RECORD_SCHEMA_FILES) expect(loadSchema(file).$id).toMatch(/^dancu:[a-z-]+\/v1$/);
  });

  it('the event types of different sources never share a name (type alone identifies an event)', () => {
    const all = SOURCES.flatMap((source) => EVENT_TYPES[source]);
    expect(new Set(all).size).toBe(all.length);
  });
});
