// Renders the population's facts as each register would export them: native records with
// Vietnamese column names, dd/mm/yyyy dates and Vietnam-local registration times.
import { createHash } from 'node:crypto';
import type { SourceName } from '../../schemas/sources.ts';
import type { Address } from '../../schemas/types.ts';
import { NO_EXPIRY } from '../id-card/native-record.ts';
import { type Day, isoToDay, isoToNative, nativeTimestamp } from './calendar.ts';
import { TODAY } from './person.ts';
import type { Population, SimulatedCitizen } from './population.ts';
import type { Random } from './random.ts';

export type NativeRow = Record<string, string>;
type Columns = Record<string, string | undefined>;

/** A record with the instant it was registered, which orders the register's export. */
export interface TimedRow {
  at: number;
  record: NativeRow;
}

const OFFICE_OPENS = 7 * 3600 + 30 * 60;
const OFFICE_CLOSES = 17 * 3600;

/** Writes an address into the row's `<prefix>_tinh/_huyen/_xa/_duong/_chi_tiet` columns; returns the row. */
function withAddress(row: NativeRow, prefix: string, address: Address | undefined): NativeRow {
  if (!address) return row;
  row[`${prefix}_tinh`] = address.province;
  if (address.district) row[`${prefix}_huyen`] = address.district;
  row[`${prefix}_xa`] = address.ward;
  if (address.street) row[`${prefix}_duong`] = address.street;
  if (address.detail) row[`${prefix}_chi_tiet`] = address.detail;
  return row;
}

/** Copies extra columns into the row (assignment, not object spread: spread was the renderer's hot spot). */
function withColumns(row: NativeRow, columns: Columns): NativeRow {
  for (const key in columns) {
    const value = columns[key];
    if (value !== undefined) row[key] = value;
  }
  return row;
}

const native = (iso: string): string => isoToNative(iso);
const sexOf = (citizen: SimulatedCitizen): string => (citizen.sex === 'male' ? 'Nam' : 'Nữ');

/** Registers one record at a random office hour on `day` (never after the simulation's today). */
function stamp(random: Random, day: Day, column: string, record: NativeRow): TimedRow {
  const registered = Math.min(day, TODAY);
  const second = random.int(OFFICE_OPENS, OFFICE_CLOSES);
  record[column] = nativeTimestamp(registered, second);
  return { at: registered * 86_400 + second, record };
}

function civilStatus(random: Random, population: Population): TimedRow[] {
  const rows: TimedRow[] = [];
  for (const c of population.citizens) {
    const id = c.personalId;
    const name = (day: string) => (c.nameChange && c.nameChange.on <= day ? c.nameChange.newFullName : c.fullName);
    rows.push(
      stamp(
        random,
        isoToDay(c.dateOfBirth) + random.int(3, 60),
        'ngay_dang_ky',
        withColumns(
          withAddress(
            {
              ma_ho_so: `KS-${id}`,
              loai_su_kien: 'KHAI_SINH',
              so_dinh_danh: id,
              ho_ten: c.fullName,
              ngay_sinh: native(c.dateOfBirth),
              gioi_tinh: sexOf(c),
            },
            'noi_sinh',
            c.placeOfBirth,
          ),
          {
            ma_tinh_dang_ky_khai_sinh: c.birthProvince,
            dan_toc: c.ethnicity,
            quoc_tich: 'Việt Nam',
            so_dinh_danh_cha: c.fatherId,
            so_dinh_danh_me: c.motherId,
          },
        ),
      ),
    );
    if (c.nameChange) {
      rows.push(
        stamp(random, isoToDay(c.nameChange.on), 'ngay_dang_ky', {
          ma_ho_so: `TDHT-${id}`,
          loai_su_kien: 'THAY_DOI_HO_TEN',
          so_dinh_danh: id,
          ho_ten: c.fullName,
          ho_ten_moi: c.nameChange.newFullName,
          ly_do: c.nameChange.reason,
        }),
      );
    }
    const marriage = c.marriage;
    if (marriage) {
      rows.push(
        stamp(random, isoToDay(marriage.on), 'ngay_dang_ky', {
          ma_ho_so: `KH-${id}`,
          loai_su_kien: 'KET_HON',
          so_dinh_danh: id,
          ho_ten: name(marriage.on),
          so_dinh_danh_vo_chong: marriage.spouseId,
          ho_ten_vo_chong: marriage.spouseName,
          noi_dang_ky_tinh: marriage.office.province,
          noi_dang_ky_xa: marriage.office.ward,
        }),
      );
      if (marriage.divorce) {
        rows.push(
          stamp(random, isoToDay(marriage.divorce.decidedOn) + random.int(5, 30), 'ngay_dang_ky', {
            ma_ho_so: `LH-${id}`,
            loai_su_kien: 'LY_HON',
            so_dinh_danh: id,
            ho_ten: name(marriage.divorce.decidedOn),
            so_dinh_danh_vo_chong: marriage.spouseId,
            so_ban_an: marriage.divorce.number,
            toa_an: marriage.divorce.court,
            ngay_ban_an: native(marriage.divorce.decidedOn),
          }),
        );
      }
    }
    if (c.death) {
      rows.push(
        stamp(
          random,
          isoToDay(c.death.on) + random.int(1, 15),
          'ngay_dang_ky',
          withAddress(
            { ma_ho_so: `KT-${id}`, loai_su_kien: 'KHAI_TU', so_dinh_danh: id, ho_ten: name(c.death.on), ngay_chet: native(c.death.on) },
            'noi_chet',
            c.death.place,
          ),
        ),
      );
    }
  }
  return rows;
}

function residence(random: Random, population: Population): TimedRow[] {
  const rows: TimedRow[] = [];
  for (const c of population.citizens) {
    c.residence.forEach((fact, n) => {
      const row: NativeRow = {
        ma_ho_so: `CT-${c.personalId}-${n + 1}`,
        loai_cu_tru: fact.kind,
        so_dinh_danh: c.personalId,
        ho_ten: c.fullName,
      };
      switch (fact.kind) {
        case 'THUONG_TRU':
          withAddress(row, 'dia_chi', fact.address).so_ho = fact.householdId;
          break;
        case 'XOA_THUONG_TRU':
          row.ly_do = fact.reason;
          break;
        case 'QUAN_HE_CHU_HO':
          withColumns(row, { so_ho: fact.householdId, quan_he_chu_ho: fact.relation, so_dinh_danh_chu_ho: fact.headId });
          break;
        case 'TAM_TRU':
          withColumns(withAddress(row, 'dia_chi', fact.address), { tu_ngay: native(fact.from), den_ngay: native(fact.until) });
          break;
        case 'TAM_VANG':
          withAddress(withColumns(row, { tu_ngay: native(fact.from), den_ngay: native(fact.until) }), 'noi_den', fact.destination);
          break;
        case 'NOI_O_HIEN_TAI':
          withAddress(row, 'dia_chi', fact.address);
          break;
      }
      rows.push(stamp(random, isoToDay(fact.on), 'ngay_dang_ky', row));
    });
  }
  return rows;
}

/**
 * The mobile number a simulated citizen declares at the card application, written as registers do
 * (0 and 9 digits). Derived from the personal id, not drawn, so adding it moved no other draw.
 */
export function mobileNumberOf(personalId: string): string {
  const digest = createHash('sha256').update(`phone:${personalId}`).digest();
  const prefix = ['9', '8', '3', '7', '5'][digest[0]! % 5];
  return `0${prefix}${(digest.readUInt32BE(1) % 100_000_000).toString().padStart(8, '0')}`;
}

function idCard(random: Random, population: Population): TimedRow[] {
  const rows: TimedRow[] = [];
  for (const c of population.citizens) {
    c.cards.forEach((fact, n) => {
      const row: NativeRow = {
        ma_ho_so: `CC-${c.personalId}-${n + 1}`,
        loai_giao_dich: fact.kind,
        so_dinh_danh: c.personalId,
        so_the: c.personalId,
      };
      const on = isoToDay(fact.on);
      if (fact.kind === 'BAO_MAT') {
        row.ho_ten = c.nameChange && c.nameChange.on <= fact.on ? c.nameChange.newFullName : c.fullName;
        row.ngay_bao_mat = native(fact.on);
        rows.push(stamp(random, on + random.int(0, 2), 'thoi_diem_xu_ly', row));
        return;
      }
      withColumns(row, {
        ho_ten: fact.fullName,
        ngay_sinh: native(c.dateOfBirth),
        gioi_tinh: sexOf(c),
        ngay_cap: native(fact.on),
        ngay_het_han: fact.expiresOn ? native(fact.expiresOn) : NO_EXPIRY,
        noi_cap: fact.authority,
        ly_do_cap_doi: fact.renewal,
        so_dien_thoai: mobileNumberOf(c.personalId),
      });
      rows.push(stamp(random, on, 'thoi_diem_xu_ly', row));
    });
  }
  return rows;
}

const NATIVE_BLOOD = (type: string): string => `${type.slice(0, -1)} Rh${type.slice(-1)}`;

function health(random: Random, population: Population): TimedRow[] {
  const rows: TimedRow[] = [];
  for (const c of population.citizens) {
    const birth = isoToDay(c.dateOfBirth);
    c.insurance.forEach((card, n) => {
      rows.push(
        stamp(random, Math.max(birth + 1, isoToDay(card.validFrom) - random.int(0, 20)), 'ngay_cap_nhat', {
          ma_ho_so: `BHYT-${c.personalId}-${n + 1}`,
          loai_ban_ghi: 'THE_BHYT',
          so_dinh_danh: c.personalId,
          ho_ten: c.fullName,
          ma_the_bhyt: card.number,
          gia_tri_tu: native(card.validFrom),
          gia_tri_den: native(card.validTo),
          ma_kcb_bd: card.facility.code,
          ten_kcb_bd: card.facility.name,
        }),
      );
    });
    if (c.bloodType) {
      rows.push(
        stamp(random, isoToDay(c.bloodType.on) + random.int(0, 3), 'ngay_cap_nhat', {
          ma_ho_so: `NM-${c.personalId}`,
          loai_ban_ghi: 'NHOM_MAU',
          so_dinh_danh: c.personalId,
          ho_ten: c.fullName,
          nhom_mau: NATIVE_BLOOD(c.bloodType.type),
          ma_co_so: c.bloodType.facility.code,
          ten_co_so: c.bloodType.facility.name,
          ngay_xet_nghiem: native(c.bloodType.on),
        }),
      );
    }
  }
  return rows;
}

const RENDERERS: Record<SourceName, (random: Random, population: Population) => TimedRow[]> = {
  'civil-status': civilStatus,
  residence,
  'id-card': idCard,
  health,
};

/** The source's records about the population, in registration order. */
export function nativeRecordsOf(source: SourceName, population: Population, random: Random): NativeRow[] {
  return RENDERERS[source](random, population)
    .sort((a, b) => a.at - b.at)
    .map((row) => row.record);
}
