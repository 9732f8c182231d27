// Plausible Vietnamese addresses and health facilities for a province.

import { PROVINCES, provinceName } from '../../schemas/provinces.ts';
import type { Address, HealthFacility } from '../../schemas/types.ts';
import type { Random } from './random.ts';

/** Where people are born and live: the big cities weigh more than their count. */
const PROVINCE_WEIGHTS: readonly (readonly [string, number])[] = PROVINCES.map((p) => [
  p.code,
  p.code === '001' || p.code === '079'
    ? 8
    : p.code === '031' || p.code === '048' || p.code === '092' || p.code === '038' || p.code === '040'
      ? 3
      : 1,
]);

/** Where people take temporary residence for work or study. */
const MIGRATION_TARGETS: readonly (readonly [string, number])[] = [
  ['079', 40],
  ['001', 30],
  ['074', 12],
  ['075', 8],
  ['048', 5],
  ['031', 5],
];

const URBAN_WARDS = [
  'Phường Quang Trung',
  'Phường Trần Phú',
  'Phường Lê Lợi',
  'Phường Tân Phong',
  'Phường An Khánh',
  'Phường Hòa Minh',
  'Phường Đông Thọ',
  'Phường Nam Sơn',
  'Phường Bến Thành',
  'Phường Tân Định',
  'Phường Cầu Giấy',
  'Phường Hàng Bạc',
  'Phường Thạch Thang',
  'Phường Vĩnh Ninh',
  'Phường Phú Hội',
  'Phường Tân Lập',
  'Phường Hồng Hải',
  'Phường Bình Thọ',
] as const;

const RURAL_WARDS = [
  'Xã Tân Hiệp',
  'Xã Phú Lộc',
  'Xã Bình Minh',
  'Xã Hưng Đạo',
  'Xã Yên Sơn',
  'Xã Thanh Xuân',
  'Xã Đông Hưng',
  'Xã Cẩm Thủy',
  'Xã An Bình',
  'Xã Hòa Lạc',
  'Xã Vĩnh Phúc',
  'Xã Tân Thành',
  'Xã Quảng Phú',
  'Xã Nghĩa Trung',
  'Thị trấn Phố Mới',
  'Xã Mỹ Thuận',
  'Xã Long Hòa',
  'Xã Phước Lợi',
] as const;

/** The five centrally-run cities are "thành phố", the other provinces "tỉnh". */
const CITY_CODES = new Set(['001', '031', '048', '079', '092']);

const STREETS = [
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Nguyễn Trãi',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Quang Trung',
  'Nguyễn Huệ',
  'Điện Biên Phủ',
  'Phan Chu Trinh',
  'Lê Duẩn',
  'Hùng Vương',
  'Trần Phú',
  'Nguyễn Du',
  'Bà Triệu',
  'Võ Thị Sáu',
] as const;

const HAMLETS = [
  'Thôn Đông',
  'Thôn Trung',
  'Xóm 3',
  'Xóm Mới',
  'Ấp Tân Hòa',
  'Ấp 2',
  'Bản Nà Phặc',
  'Thôn Phú Mỹ',
  'Tổ dân phố 5',
] as const;

/** "thành phố Hà Nội", "tỉnh Cao Bằng": the province as an authority's name spells it. */
export function provinceTitle(provinceCode: string): string {
  return `${CITY_CODES.has(provinceCode) ? 'thành phố' : 'tỉnh'} ${provinceName(provinceCode) ?? 'Hà Nội'}`;
}

export function pickProvince(random: Random): string {
  return random.weighted(PROVINCE_WEIGHTS);
}

export function pickMigrationTarget(random: Random): string {
  return random.weighted(MIGRATION_TARGETS);
}

export function addressIn(random: Random, provinceCode: string): Address {
  const province = provinceName(provinceCode) ?? 'Hà Nội';
  const urban = random.chance(provinceCode === '001' || provinceCode === '079' ? 0.85 : 0.4);
  const address: Address = { province, ward: random.pick(urban ? URBAN_WARDS : RURAL_WARDS) };
  // No district: districts were abolished in 2025, and a made-up one would rarely match the province.
  if (urban) {
    address.street = random.pick(STREETS);
    address.detail = random.chance(0.4) ? `Số ${random.int(1, 300)}, ngõ ${random.int(1, 150)}` : `Số ${random.int(1, 500)}`;
  } else {
    address.detail = random.pick(HAMLETS);
  }
  return address;
}

/** The place of birth: a hospital's or commune's address in the province. */
export function birthPlaceIn(random: Random, provinceCode: string): Address {
  const address = addressIn(random, provinceCode);
  delete address.detail;
  delete address.street;
  return address;
}

/** Facility codes start with the 2-digit social-insurance province code (here: the id code's last two digits). */
export function facilityIn(random: Random, provinceCode: string): HealthFacility {
  const prefix = provinceCode.slice(1);
  const ward = random.pick([...URBAN_WARDS, ...RURAL_WARDS]).replace(/^(Phường|Xã|Thị trấn) /, '');
  return random.weighted<HealthFacility>([
    [{ code: `${prefix}001`, name: `Bệnh viện Đa khoa ${provinceTitle(provinceCode)}` }, 3],
    [{ code: `${prefix}0${String(random.int(10, 99))}`, name: `Trung tâm Y tế khu vực ${ward}` }, 4],
    [{ code: `${prefix}1${String(random.int(0, 99)).padStart(2, '0')}`, name: `Trạm Y tế ${ward}` }, 3],
  ]);
}
