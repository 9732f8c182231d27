// A citizen's fields in Vietnamese words, for the written answers people read: the Form 01
// notice (hub/written-requests/form-01.ts) and the SMS answer (hub/sms/). Plain functions.

import { provinceName } from '../../schemas/provinces.ts';
import type { CitizenField } from './fields.ts';

const date = (iso: string) => iso.split('-').reverse().join('/');

/** The label of each field, as the population register words it (the rows of the Form 01 notice, the lines of an SMS answer). */
export const FIELD_LABELS_VI: Readonly<Record<CitizenField, string>> = Object.freeze({
  fullName: 'Họ, chữ đệm và tên',
  dateOfBirth: 'Ngày, tháng, năm sinh',
  sex: 'Giới tính',
  placeOfBirth: 'Nơi sinh',
  birthRegistrationProvince: 'Nơi đăng ký khai sinh',
  ethnicity: 'Dân tộc',
  nationality: 'Quốc tịch',
  fatherId: 'Số định danh cá nhân của cha',
  motherId: 'Số định danh cá nhân của mẹ',
  maritalStatus: 'Tình trạng hôn nhân',
  spouseId: 'Số định danh cá nhân của vợ/chồng',
  lifeStatus: 'Tình trạng',
  dateOfDeath: 'Ngày chết',
  permanentAddress: 'Nơi thường trú',
  temporaryAddress: 'Nơi tạm trú',
  temporaryAbsence: 'Tạm vắng',
  currentAddress: 'Nơi ở hiện tại',
  household: 'Quan hệ với chủ hộ',
  idCard: 'Thẻ căn cước',
  healthInsurance: 'Thẻ bảo hiểm y tế',
  bloodType: 'Nhóm máu',
  phoneNumber: 'Số điện thoại',
});

/** A field's value as a line of Vietnamese text. */
export function formatFieldValue(field: CitizenField, value: unknown): string {
  if (value === null || value === undefined) return '(không còn)';
  if (typeof value === 'string') {
    if (field === 'dateOfBirth' || field === 'dateOfDeath') return date(value);
    if (field === 'sex') return value === 'male' ? 'Nam' : 'Nữ';
    if (field === 'birthRegistrationProvince') return provinceName(value) ?? value;
    if (field === 'maritalStatus')
      return (
        ({ single: 'Chưa kết hôn', married: 'Đã kết hôn', divorced: 'Đã ly hôn', widowed: 'Góa' } as Record<string, string>)[value] ?? value
      );
    if (field === 'lifeStatus') return value === 'alive' ? 'Còn sống' : 'Đã chết';
    return value;
  }
  const v = value as Record<string, unknown>;
  if ('ward' in v && 'province' in v) return address(v);
  if (field === 'temporaryAddress') return `${address(v.address as Record<string, unknown>)} (đến ${date(String(v.validUntil))})`;
  if (field === 'temporaryAbsence')
    return `từ ${date(String(v.from))} đến ${date(String(v.until))}${v.destination ? `, nơi đến: ${address(v.destination as Record<string, unknown>)}` : ''}`;
  if (field === 'household') return `${String(v.relationToHead)}; chủ hộ: ${String(v.headPersonalId)}; số hộ: ${String(v.householdId)}`;
  if (field === 'idCard') {
    if (v.status === 'lost') return `Số ${String(v.cardNumber)}, đã báo mất ngày ${date(String(v.reportedLostOn))}`;
    return `Số ${String(v.cardNumber)}, cấp ngày ${date(String(v.issuedOn))}, ${v.expiresOn ? `có giá trị đến ${date(String(v.expiresOn))}` : 'không thời hạn'}`;
  }
  if (field === 'healthInsurance') {
    const facility = v.registeredFacility as { name?: string } | undefined;
    return `Số ${String(v.insuranceNumber)}, từ ${date(String(v.validFrom))} đến ${date(String(v.validTo))}, nơi đăng ký: ${facility?.name ?? ''}`;
  }
  return JSON.stringify(value);
}

function address(a: Record<string, unknown>): string {
  return [a.detail, a.street, a.ward, a.district, a.province].filter((part) => typeof part === 'string' && part !== '').join(', ');
}
