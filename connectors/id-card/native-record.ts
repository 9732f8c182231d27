// The identity-card register's own record (cơ sở dữ liệu căn cước): one row per card
// transaction, flat string columns (JSONL object or CSV row). Dates dd/mm/yyyy, times Vietnam local.

/** loai_giao_dich → canonical event type. CAP_LAI (re-issue after loss) is a renewal with reason "lost". */
export const ID_CARD_KINDS = {
  CAP_MOI: 'card-issued',
  CAP_DOI: 'card-renewed',
  CAP_LAI: 'card-renewed',
  BAO_MAT: 'card-reported-lost',
} as const;

export type IdCardKind = keyof typeof ID_CARD_KINDS;

/** ly_do_cap_doi → renewal reason (CAP_DOI only). */
export const RENEWAL_REASONS = {
  HET_HAN: 'expired',
  DU_TUOI: 'age-milestone',
  HONG: 'damaged',
  THAY_DOI_THONG_TIN: 'details-changed',
} as const;

/** ngay_het_han for cards issued at 58 or older. */
export const NO_EXPIRY = 'Không thời hạn';

export const ID_CARD_COLUMNS = [
  'ma_ho_so', // transaction number, unique in the register
  'loai_giao_dich', // IdCardKind
  'so_dinh_danh',
  'so_the', // card number (= personal id for căn cước cards)
  'ho_ten',
  'ngay_sinh',
  'gioi_tinh', // Nam | Nữ
  'ngay_cap',
  'ngay_het_han', // dd/mm/yyyy or "Không thời hạn"
  'noi_cap', // issuing authority
  'ly_do_cap_doi', // CAP_DOI: HET_HAN | DU_TUOI | HONG | THAY_DOI_THONG_TIN
  'ngay_bao_mat', // BAO_MAT
  'thoi_diem_xu_ly', // processing time, dd/mm/yyyy HH:mm:ss
  'so_dien_thoai', // the holder's mobile number, verified with the carrier (0912345678 or +84912345678); optional
] as const;

export type IdCardColumn = (typeof ID_CARD_COLUMNS)[number];
export type IdCardRecord = Partial<Record<IdCardColumn, string>>;
