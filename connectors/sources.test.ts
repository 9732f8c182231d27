import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../schemas/sources.ts';
import { validateEvent } from '../schemas/validate-event.ts';
import { readNativeFile, writeNativeFile } from './sdk/native-file.ts';
import { simulateSourceRecords } from './simulator/simulate-source.ts';
import { SOURCE_DEFINITIONS } from './sources.ts';

async function readAll(path: string) {
  const items = [];
  for await (const item of readNativeFile(path)) items.push(item);
  return items;
}

describe('source definitions', () => {
  for (const source of SOURCES) {
    it(`R26: ${source} records map to the same valid events whether exported as JSONL or CSV`, async () => {
      const { toEvent, columns } = SOURCE_DEFINITIONS[source];
      const records = simulateSourceRecords(source, { seed: 11, citizens: 40 });
      for (const record of records) for (const column of Object.keys(record)) expect(columns, `${source} column`).toContain(column);

      const dir = mkdtempSync(join(tmpdir(), `dancu-${source}-`));
      await writeNativeFile(join(dir, 'export.jsonl'), records, columns);
      await writeNativeFile(join(dir, 'export.csv'), records, columns);
      const fromJsonl = await readAll(join(dir, 'export.jsonl'));
      const fromCsv = await readAll(join(dir, 'export.csv'));
      expect(fromJsonl).toEqual(fromCsv);
      expect(fromJsonl.map((item) => item.position)).toEqual(records.map((_, i) => i + 1));

      const events = fromCsv.map((item) => {
        if (!('record' in item)) throw new Error(item.error);
        return toEvent(item.record);
      });
      expect(events).toEqual(records.map(toEvent));
      for (const event of events)
        expect(validateEvent(JSON.stringify(event), { topicSource: source }), event.type).toMatchObject({ ok: true });
    });
  }
});
