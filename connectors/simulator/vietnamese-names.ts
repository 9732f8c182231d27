// Vietnamese names and ethnicities, weighted roughly as in the population.
import type { Sex } from '../../schemas/types.ts';
import type { Random } from './random.ts';

const KINH_SURNAMES: readonly (readonly [string, number])[] = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 3],
  ['Huỳnh', 2],
  ['Phan', 4.5],
  ['Vũ', 2],
  ['Võ', 2],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.8],
  ['Trương', 0.8],
  ['Lương', 0.5],
  ['Mai', 0.5],
  ['Tạ', 0.3],
  ['Đoàn', 0.6],
  ['Cao', 0.4],
];

/** Surnames common in some ethnic groups; the others mostly use Kinh surnames. */
const ETHNIC_SURNAMES: Readonly<Record<string, readonly string[]>> = {
  "H'Mông": ['Giàng', 'Sùng', 'Vàng', 'Lầu', 'Thào', 'Mùa', 'Hầu', 'Lù'],
  Khmer: ['Thạch', 'Sơn', 'Danh', 'Kim', 'Lâm', 'Châu'],
  Tày: ['Nông', 'Hoàng', 'Lục', 'Ma', 'Bế', 'Hà'],
  Thái: ['Lò', 'Lường', 'Cầm', 'Quàng', 'Vi', 'Tòng'],
  Mường: ['Bùi', 'Đinh', 'Quách', 'Hà', 'Xa'],
  Nùng: ['Nông', 'Hoàng', 'Lăng', 'Chu', 'Mã'],
  Hoa: ['Lý', 'Trương', 'Lâm', 'Quách', 'Châu', 'Hứa'],
};

const MIDDLE_NAMES: Readonly<Record<Sex, readonly string[]>> = {
  male: ['Văn', 'Văn', 'Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Thanh', 'Công', 'Đình', 'Xuân', 'Hoàng', 'Gia', 'Anh', 'Trọng', 'Tuấn'],
  female: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Minh', 'Phương', 'Hồng', 'Kim', 'Bảo', 'Khánh', 'Mai', 'Thùy', 'Diệu'],
};

const GIVEN_NAMES: Readonly<Record<Sex, readonly string[]>> = {
  male: [
    'An',
    'Bình',
    'Cường',
    'Dũng',
    'Duy',
    'Đạt',
    'Hải',
    'Hiếu',
    'Hoàng',
    'Hùng',
    'Huy',
    'Khang',
    'Khoa',
    'Long',
    'Minh',
    'Nam',
    'Nghĩa',
    'Phong',
    'Phúc',
    'Quân',
    'Quang',
    'Sơn',
    'Tài',
    'Thắng',
    'Thành',
    'Trung',
    'Tuấn',
    'Việt',
    'Vinh',
    'Bảo',
    'Khôi',
    'Lộc',
    'Toàn',
    'Tùng',
    'Đức',
  ],
  female: [
    'An',
    'Anh',
    'Chi',
    'Dung',
    'Giang',
    'Hà',
    'Hạnh',
    'Hằng',
    'Hiền',
    'Hoa',
    'Hương',
    'Huyền',
    'Lan',
    'Linh',
    'Loan',
    'Mai',
    'My',
    'Nga',
    'Ngọc',
    'Nhung',
    'Oanh',
    'Phương',
    'Quỳnh',
    'Thảo',
    'Thu',
    'Trang',
    'Uyên',
    'Vân',
    'Yến',
    'Xuân',
    'Ngân',
    'Thủy',
    'Tâm',
    'Vy',
  ],
};

const ETHNICITIES: readonly (readonly [string, number])[] = [
  ['Kinh', 85.3],
  ['Tày', 1.9],
  ['Thái', 1.9],
  ['Mường', 1.5],
  ["H'Mông", 1.5],
  ['Khmer', 1.4],
  ['Nùng', 1.1],
  ['Dao', 0.9],
  ['Hoa', 0.8],
  ['Gia Rai', 0.5],
  ['Ê Đê', 0.4],
  ['Ba Na', 0.3],
  ['Sán Chay', 0.2],
  ['Chăm', 0.2],
];

/** Provinces where one group is much more common than nationally. */
const REGIONAL_ETHNICITY: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  '002': [
    ["H'Mông", 32],
    ['Tày', 23],
    ['Dao', 15],
    ['Kinh', 30],
  ],
  '004': [
    ['Tày', 41],
    ['Nùng', 31],
    ["H'Mông", 10],
    ['Kinh', 18],
  ],
  '010': [
    ["H'Mông", 25],
    ['Tày', 15],
    ['Dao', 14],
    ['Kinh', 46],
  ],
  '011': [
    ['Thái', 38],
    ["H'Mông", 35],
    ['Kinh', 27],
  ],
  '014': [
    ['Thái', 53],
    ["H'Mông", 16],
    ['Mường', 8],
    ['Kinh', 23],
  ],
  '017': [
    ['Mường', 63],
    ['Thái', 4],
    ['Kinh', 33],
  ],
  '020': [
    ['Nùng', 42],
    ['Tày', 35],
    ['Kinh', 23],
  ],
  '064': [
    ['Gia Rai', 30],
    ['Ba Na', 14],
    ['Kinh', 56],
  ],
  '066': [
    ['Ê Đê', 18],
    ['Kinh', 70],
    ['Nùng', 4],
    ['Tày', 4],
    ["H'Mông", 4],
  ],
  '084': [
    ['Khmer', 32],
    ['Kinh', 67],
    ['Hoa', 1],
  ],
  '094': [
    ['Khmer', 30],
    ['Kinh', 64],
    ['Hoa', 6],
  ],
};

export function pickEthnicity(random: Random, provinceCode: string): string {
  return random.weighted(REGIONAL_ETHNICITY[provinceCode] ?? ETHNICITIES);
}

export function pickSurname(random: Random, ethnicity: string): string {
  const own = ETHNIC_SURNAMES[ethnicity];
  return own && random.chance(0.8) ? random.pick(own) : random.weighted(KINH_SURNAMES);
}

/** Tên đệm + tên, e.g. "Văn Hùng", "Thị Thu Trang". */
export function pickGivenNames(random: Random, sex: Sex): string {
  const middle = random.pick(MIDDLE_NAMES[sex]);
  const given = random.pick(GIVEN_NAMES[sex]);
  // A second middle name now and then, as in "Nguyễn Thị Thu Trang".
  if (random.chance(0.15)) {
    const second = random.pick(MIDDLE_NAMES[sex]);
    // "Văn" and "Thị" open a name; they do not come second.
    if (second !== middle && second !== given && second !== 'Văn' && second !== 'Thị') return `${middle} ${second} ${given}`;
  }
  return middle === given ? given : `${middle} ${given}`;
}
