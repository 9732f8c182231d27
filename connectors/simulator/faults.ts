// What real feeds do wrong, on purpose: records sent twice, records out of order, and bad
// records — an id that disagrees with the date of birth or sex, an unknown kind, a malformed
// date, a missing name. Bad records are extra rows; the valid stream stays complete.
import type { SourceName } from '../../schemas/sources.ts';
import type { NativeRow } from './native-records.ts';
import type { Random } from './random.ts';

export interface FaultShares {
  /** Share of records sent a second time, a few records later. */
  duplicateShare?: number;
  /** Share of records swapped with one of the next three. */
  reorderShare?: number;
  /** Share of records followed by a broken variant of themselves. */
  badShare?: number;
}

export type BadRecordKind = 'id-disagrees' | 'unknown-kind' | 'malformed-date' | 'missing-name';

/** The columns a fault touches, per register. */
const LAYOUT: Record<SourceName, { kind: string; recorded: string }> = {
  'civil-status': { kind: 'loai_su_kien', recorded: 'ngay_dang_ky' },
  residence: { kind: 'loai_cu_tru', recorded: 'ngay_dang_ky' },
  'id-card': { kind: 'loai_giao_dich', recorded: 'thoi_diem_xu_ly' },
  health: { kind: 'loai_ban_ghi', recorded: 'ngay_cap_nhat' },
};

const BAD_KINDS: readonly BadRecordKind[] = ['id-disagrees', 'unknown-kind', 'malformed-date', 'missing-name'];

/** A broken copy of `record`, with its own record number so it is a distinct submission. */
export function breakRecord(source: SourceName, record: NativeRow, kind: BadRecordKind, serial: number): NativeRow {
  const bad: NativeRow = { ...record, ma_ho_so: `${record.ma_ho_so ?? ''}-LOI${serial}` };
  const layout = LAYOUT[source];
  switch (kind) {
    case 'id-disagrees': {
      const dob = bad.ngay_sinh;
      if (dob && bad.gioi_tinh) {
        // Born a year later (four for 29 February, to stay a real date) or the other sex.
        if (serial % 2 === 0) bad.gioi_tinh = bad.gioi_tinh === 'Nam' ? 'Nữ' : 'Nam';
        else bad.ngay_sinh = `${dob.slice(0, 6)}${Number(dob.slice(6)) + (dob.startsWith('29/02') ? 4 : 1)}`;
      } else {
        // 003 is not a province code.
        bad.so_dinh_danh = `003${(bad.so_dinh_danh ?? '').slice(3)}`;
      }
      break;
    }
    case 'unknown-kind':
      bad[layout.kind] = 'CAP_NHAT_KHAC';
      break;
    case 'malformed-date': {
      const recorded = bad[layout.recorded] ?? '';
      bad[layout.recorded] =
        serial % 2 === 0 ? '31/02/2024 08:15:00' : `${recorded.slice(6, 10)}-${recorded.slice(3, 5)}-${recorded.slice(0, 2)}`;
      break;
    }
    case 'missing-name':
      bad.ho_ten = '';
      break;
  }
  return bad;
}

export function injectFaults(source: SourceName, records: readonly NativeRow[], random: Random, shares: FaultShares): NativeRow[] {
  const { duplicateShare = 0, reorderShare = 0, badShare = 0 } = shares;
  if (duplicateShare === 0 && reorderShare === 0 && badShare === 0) return [...records];
  const out: NativeRow[] = [];
  const delayed: { due: number; record: NativeRow }[] = [];
  let serial = 0;
  for (const record of records) {
    out.push(record);
    if (random.chance(badShare)) out.push(breakRecord(source, record, random.pick(BAD_KINDS), ++serial));
    if (random.chance(duplicateShare)) delayed.push({ due: out.length + random.int(0, 5), record });
    for (let i = 0; i < delayed.length; ) {
      const entry = delayed[i];
      if (entry && entry.due <= out.length) {
        out.push(entry.record);
        delayed.splice(i, 1);
      } else i++;
    }
  }
  for (const entry of delayed) out.push(entry.record);
  for (let i = 0; i < out.length - 1; i++) {
    if (!random.chance(reorderShare)) continue;
    const j = Math.min(out.length - 1, i + random.int(1, 3));
    const a = out[i];
    const b = out[j];
    if (a && b) {
      out[i] = b;
      out[j] = a;
    }
  }
  return out;
}
