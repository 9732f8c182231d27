// The residence register's own record (cơ sở dữ liệu về cư trú): one row per residence
// procedure, flat string columns (JSONL object or CSV row). Dates dd/mm/yyyy, times Vietnam local.
import { addressColumns } from '../sdk/mapping-error.ts';

/** loai_cu_tru → canonical event type. */
export const RESIDENCE_KINDS = {
  THUONG_TRU: 'permanent-residence-registered',
  XOA_THUONG_TRU: 'permanent-residence-removed',
  TAM_TRU: 'temporary-residence-registered',
  TAM_VANG: 'temporary-absence-declared',
  NOI_O_HIEN_TAI: 'current-residence-declared',
  QUAN_HE_CHU_HO: 'household-membership-changed',
} as const;

export type ResidenceKind = keyof typeof RESIDENCE_KINDS;

export const RESIDENCE_COLUMNS = [
  'ma_ho_so', // residence file number, unique in the register
  'loai_cu_tru', // ResidenceKind
  'so_dinh_danh',
  'ho_ten',
  ...addressColumns('dia_chi'), // THUONG_TRU, TAM_TRU, NOI_O_HIEN_TAI
  'so_ho', // household number (THUONG_TRU optional, QUAN_HE_CHU_HO)
  'quan_he_chu_ho', // chủ hộ, vợ, chồng, con …
  'so_dinh_danh_chu_ho',
  'ly_do', // XOA_THUONG_TRU
  'tu_ngay', // TAM_TRU (start), TAM_VANG
  'den_ngay', // TAM_TRU (valid until), TAM_VANG
  ...addressColumns('noi_den'), // TAM_VANG destination, optional
  'ngay_dang_ky', // registration time, dd/mm/yyyy HH:mm:ss
] as const;

export type ResidenceColumn = (typeof RESIDENCE_COLUMNS)[number];
export type ResidenceRecord = Partial<Record<ResidenceColumn, string>>;
