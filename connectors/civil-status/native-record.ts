// The civil-status register's own record (sổ hộ tịch): one row per registration, flat string
// columns so the same record is a JSONL object or a CSV row. Dates dd/mm/yyyy, times Vietnam local.
import { addressColumns } from '../sdk/mapping-error.ts';

/** loai_su_kien → canonical event type. */
export const CIVIL_STATUS_KINDS = {
  KHAI_SINH: 'birth-registered',
  THAY_DOI_HO_TEN: 'name-changed',
  KET_HON: 'marriage-registered',
  LY_HON: 'divorce-registered',
  KHAI_TU: 'death-registered',
} as const;

export type CivilStatusKind = keyof typeof CIVIL_STATUS_KINDS;

export const CIVIL_STATUS_COLUMNS = [
  'ma_ho_so', // registration file number, unique in the register
  'loai_su_kien', // CivilStatusKind
  'so_dinh_danh', // the citizen's personal id
  'ho_ten', // the citizen's name as registered (before the change, for THAY_DOI_HO_TEN)
  'ngay_sinh',
  'gioi_tinh', // Nam | Nữ
  ...addressColumns('noi_sinh'),
  'ma_tinh_dang_ky_khai_sinh', // province code where the birth was registered (defaults to the id's)
  'dan_toc',
  'quoc_tich',
  'so_dinh_danh_cha',
  'so_dinh_danh_me',
  'ho_ten_moi', // THAY_DOI_HO_TEN
  'ly_do',
  'so_dinh_danh_vo_chong', // KET_HON, LY_HON
  'ho_ten_vo_chong',
  'noi_dang_ky_tinh', // KET_HON: registering office
  'noi_dang_ky_xa',
  'so_ban_an', // LY_HON: court decision number, court, date
  'toa_an',
  'ngay_ban_an',
  'ngay_chet', // KHAI_TU
  ...addressColumns('noi_chet'),
  'ngay_dang_ky', // registration time, dd/mm/yyyy HH:mm:ss
] as const;

export type CivilStatusColumn = (typeof CIVIL_STATUS_COLUMNS)[number];
export type CivilStatusRecord = Partial<Record<CivilStatusColumn, string>>;
