// The health sector's own record (bảo hiểm y tế and health records): one row per card period or
// finding, flat string columns (JSONL object or CSV row). Dates dd/mm/yyyy, times Vietnam local.

/** loai_ban_ghi → canonical event type. */
export const HEALTH_KINDS = {
  THE_BHYT: 'insurance-enrolled',
  NHOM_MAU: 'blood-type-recorded',
} as const;

export type HealthKind = keyof typeof HEALTH_KINDS;

export const HEALTH_COLUMNS = [
  'ma_ho_so', // record number, unique in the health system
  'loai_ban_ghi', // HealthKind
  'so_dinh_danh',
  'ho_ten',
  'ma_the_bhyt', // THE_BHYT: insurance card number, e.g. DN4010123456789
  'gia_tri_tu', // card valid from
  'gia_tri_den', // card valid to
  'ma_kcb_bd', // facility of first registration (nơi đăng ký KCB ban đầu): 5-digit code
  'ten_kcb_bd',
  'nhom_mau', // NHOM_MAU: e.g. "O Rh+", "AB Rh-" (or "O+")
  'ma_co_so', // facility that determined the blood type
  'ten_co_so',
  'ngay_xet_nghiem',
  'ngay_cap_nhat', // update time, dd/mm/yyyy HH:mm:ss
] as const;

export type HealthColumn = (typeof HEALTH_COLUMNS)[number];
export type HealthRecord = Partial<Record<HealthColumn, string>>;
