// The closed catalogue of purposes a connection agreement may name (R7, R22): a consumer states
// one of these codes with every call, and only the codes its agreement lists are allowed.
// Adding a purpose is a code change reviewed like any other: the list is the policy.

export const PURPOSES = {
  ADMINISTRATIVE_PROCEDURE: { vi: 'Giải quyết thủ tục hành chính', en: 'Handling an administrative procedure' },
  SOCIAL_INSURANCE: { vi: 'Bảo hiểm xã hội', en: 'Social insurance' },
  HEALTH_INSURANCE: { vi: 'Bảo hiểm y tế', en: 'Health insurance' },
  TAX_ADMINISTRATION: { vi: 'Quản lý thuế', en: 'Tax administration' },
  CIVIL_STATUS_REGISTRATION: { vi: 'Đăng ký hộ tịch', en: 'Civil status registration' },
  RESIDENCE_MANAGEMENT: { vi: 'Quản lý cư trú', en: 'Residence management' },
  EDUCATION_ENROLMENT: { vi: 'Tuyển sinh, quản lý giáo dục', en: 'Education enrolment' },
  SOCIAL_WELFARE: { vi: 'Chính sách an sinh xã hội', en: 'Social welfare benefits' },
  LAND_ADMINISTRATION: { vi: 'Quản lý đất đai', en: 'Land administration' },
  EKYC_ACCOUNT_OPENING: { vi: 'Xác thực khách hàng điện tử (eKYC), mở tài khoản', en: 'eKYC and account opening' },
  TELECOM_SUBSCRIBER_VERIFICATION: { vi: 'Xác thực thông tin thuê bao viễn thông', en: 'Telecom subscriber verification' },
  DIGITAL_SIGNATURE_CERTIFICATION: {
    vi: 'Chứng thực chữ ký số, định danh điện tử',
    en: 'Digital signature and e-identification certification',
  },
  NOTARISATION: { vi: 'Công chứng, chứng thực', en: 'Notarisation' },
  JUDGMENT_ENFORCEMENT: { vi: 'Thi hành án', en: 'Judgment enforcement' },
  STATISTICS: { vi: 'Thống kê', en: 'Statistics' },
  CITIZEN_SELF_SERVICE: { vi: 'Công dân khai thác thông tin của mình', en: 'A citizen reading their own information (portals, VNeID)' },
} as const satisfies Record<string, { vi: string; en: string }>;

export type PurposeCode = keyof typeof PURPOSES;

export const PURPOSE_CODES = Object.freeze(Object.keys(PURPOSES) as PurposeCode[]);

export function isPurpose(code: string): code is PurposeCode {
  return Object.hasOwn(PURPOSES, code);
}
