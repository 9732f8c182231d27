import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NativeFileItem, readNativeFile, writeNativeFile } from './native-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'dancu-native-file-'));

async function read(name: string, content: string): Promise<NativeFileItem[]> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const items: NativeFileItem[] = [];
  for await (const item of readNativeFile(path)) items.push(item);
  return items;
}

describe('native files', () => {
  it('reads JSONL, skipping blank lines, with 1-based record positions', async () => {
    const items = await read('a.jsonl', '{"ma_ho_so":"1","ho_ten":"Lê Thị Hoa"}\n\n{"ma_ho_so":"2","so":12}\n');
    expect(items).toEqual([
      { position: 1, record: { ma_ho_so: '1', ho_ten: 'Lê Thị Hoa' } },
      { position: 2, record: { ma_ho_so: '2', so: '12' } },
    ]);
  });

  it('turns a bad JSONL line into an error item and keeps reading', async () => {
    const items = await read('b.ndjson', '{"ma_ho_so":"1"}\n{"ma_ho_so": \n["x"]\n{"a":{"b":1}}\n{"ma_ho_so":"5"}\n');
    expect(items.map((i) => ('error' in i ? `error@${i.position}` : `ok@${i.position}`))).toEqual([
      'ok@1',
      'error@2',
      'error@3',
      'error@4',
      'ok@5',
    ]);
    expect(items[1]).toMatchObject({ error: expect.stringContaining('line 2 is not valid JSON') });
    expect(items[3]).toMatchObject({ error: expect.stringContaining('"a" must be text') });
  });

  it('reads CSV with a header, quoted commas and a BOM; a row with the wrong field count is an error item', async () => {
    const items = await read(
      'c.csv',
      '\uFEFFma_ho_so,ho_ten,dia_chi_chi_tiet\n1,Phạm Văn Nam,"Số 5, ngõ 12"\n2,Đỗ Thị Mai\n3,Hồ Văn Tâm,\n',
    );
    expect(items).toEqual([
      { position: 1, record: { ma_ho_so: '1', ho_ten: 'Phạm Văn Nam', dia_chi_chi_tiet: 'Số 5, ngõ 12' } },
      { position: 2, error: 'line 3 has 2 fields but the header has 3' },
      { position: 3, record: { ma_ho_so: '3', ho_ten: 'Hồ Văn Tâm' } },
    ]);
  });

  it('refuses a file that is neither JSONL nor CSV', async () => {
    await expect(read('d.xlsx', '')).rejects.toThrow(/\.jsonl, \.ndjson or \.csv/);
  });

  it('writes CSV with quoting and JSONL in column order, and reads both back the same', async () => {
    const records: Record<string, string>[] = [{ ho_ten: 'Vũ "Bé" An', ma_ho_so: '1', ghi_chu: 'a,b\nc' }, { ma_ho_so: '2' }];
    const columns = ['ma_ho_so', 'ho_ten', 'ghi_chu'];
    expect(await writeNativeFile(join(dir, 'out.csv'), records, columns)).toBe(2);
    await writeNativeFile(join(dir, 'out.jsonl'), records, columns);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n')[0]).toBe(
      '{"ma_ho_so":"1","ho_ten":"Vũ \\"Bé\\" An","ghi_chu":"a,b\\nc"}',
    );
    const back = async (name: string) => {
      const items: NativeFileItem[] = [];
      for await (const item of readNativeFile(join(dir, name))) items.push(item);
      return items;
    };
    expect(await back('out.csv')).toEqual(await back('out.jsonl'));
    expect(await back('out.csv')).toEqual([
      { position: 1, record: { ma_ho_so: '1', ho_ten: 'Vũ "Bé" An', ghi_chu: 'a,b\nc' } },
      { position: 2, record: { ma_ho_so: '2' } },
    ]);
  });
});
