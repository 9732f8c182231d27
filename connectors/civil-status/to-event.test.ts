import { describe, expect, it } from 'vitest';
import { eventIdFor } from '../../schemas/event-id.ts';
import { validateEvent } from '../../schemas/validate-event.ts';
import { MappingError } from '../sdk/mapping-error.ts';
import { toEvent } from './to-event.ts';

const BIRTH: Record<string, string> = {
  ma_ho_so: 'KS-2024-000123',
  loai_su_kien: 'KHAI_SINH',
  so_dinh_danh: '001324000123',
  ho_ten: 'Nguyễn Thị Thu Trang',
  ngay_sinh: '05/03/2024',
  gioi_tinh: 'Nữ',
  noi_sinh_tinh: 'Hà Nội',
  noi_sinh_xa: 'Phường Cầu Giấy',
  noi_sinh_chi_tiet: 'Bệnh viện Phụ sản Hà Nội',
  ma_tinh_dang_ky_khai_sinh: '001',
  dan_toc: 'Kinh',
  quoc_tich: 'Việt Nam',
  so_dinh_danh_cha: '001090123456',
  so_dinh_danh_me: '001192654321',
  ngay_dang_ky: '12/03/2024 09:30:00',
};

function mappingError(record: Record<string, string>): MappingError {
  try {
    toEvent(record);
  } catch (error) {
    if (error instanceof MappingError) return error;
    throw error;
  }
  throw new Error('expected a MappingError');
}

describe('civil-status mapping', () => {
  it('R26: a birth registered in the civil-status register maps to a canonical birth-registered event', () => {
    expect(toEvent(BIRTH)).toEqual({
      eventId: eventIdFor('civil-status', 'KS-2024-000123'),
      source: 'civil-status',
      type: 'birth-registered',
      personalId: '001324000123',
      occurredAt: '2024-03-05T00:00:00+07:00',
      recordedAt: '2024-03-12T09:30:00+07:00',
      schemaVersion: 1,
      payload: {
        fullName: 'Nguyễn Thị Thu Trang',
        dateOfBirth: '2024-03-05',
        sex: 'female',
        placeOfBirth: { province: 'Hà Nội', ward: 'Phường Cầu Giấy', detail: 'Bệnh viện Phụ sản Hà Nội' },
        birthRegistrationProvince: '001',
        ethnicity: 'Kinh',
        nationality: 'Việt Nam',
        fatherId: '001090123456',
        motherId: '001192654321',
      },
    });
  });

  it('gives a re-published record the same event id, and another record another id', () => {
    expect(toEvent({ ...BIRTH }).eventId).toBe(toEvent(BIRTH).eventId);
    expect(toEvent({ ...BIRTH, ma_ho_so: 'KS-2024-000124' }).eventId).not.toBe(toEvent(BIRTH).eventId);
  });

  it('maps a change of name, a marriage, a divorce and a death, each passing validation', () => {
    const base = { so_dinh_danh: '001090123456', ho_ten: 'Nguyễn Văn An', ngay_dang_ky: '01/06/2024 10:00:00' };
    const records = [
      { ...base, ma_ho_so: 'TD-1', loai_su_kien: 'THAY_DOI_HO_TEN', ho_ten_moi: 'Nguyễn Minh An', ly_do: 'Theo nguyện vọng cá nhân' },
      {
        ...base,
        ma_ho_so: 'KH-1',
        loai_su_kien: 'KET_HON',
        so_dinh_danh_vo_chong: '001192654321',
        ho_ten_vo_chong: 'Trần Thị Bích',
        noi_dang_ky_tinh: 'Hà Nội',
        noi_dang_ky_xa: 'Phường Cầu Giấy',
      },
      {
        ...base,
        ma_ho_so: 'LH-1',
        loai_su_kien: 'LY_HON',
        so_dinh_danh_vo_chong: '001192654321',
        so_ban_an: '125/2024/QĐST-HNGĐ',
        toa_an: 'Tòa án nhân dân quận Cầu Giấy',
        ngay_ban_an: '20/05/2024',
      },
      {
        ...base,
        ma_ho_so: 'KT-1',
        loai_su_kien: 'KHAI_TU',
        ngay_chet: '28/05/2024',
        noi_chet_tinh: 'Hà Nội',
        noi_chet_xa: 'Phường Cầu Giấy',
      },
    ];
    const events = records.map(toEvent);
    expect(events.map((e) => e.type)).toEqual(['name-changed', 'marriage-registered', 'divorce-registered', 'death-registered']);
    for (const event of events) expect(validateEvent(JSON.stringify(event)).ok).toBe(true);
    // A divorce takes effect on the court decision, a death on the day of death.
    expect(events[2]?.occurredAt).toBe('2024-05-20T00:00:00+07:00');
    expect(events[3]?.occurredAt).toBe('2024-05-28T00:00:00+07:00');
    expect(events[0]?.payload).toEqual({
      newFullName: 'Nguyễn Minh An',
      previousFullName: 'Nguyễn Văn An',
      reason: 'Theo nguyện vọng cá nhân',
    });
  });

  it('refuses an unknown event kind as unknown-type', () => {
    const error = mappingError({ ...BIRTH, loai_su_kien: 'NHAN_CON_NUOI' });
    expect(error).toMatchObject({ reason: 'unknown-type', field: 'loai_su_kien' });
    expect(error.message).toContain('KHAI_SINH');
  });

  it('refuses a date that is not a real dd/mm/yyyy date as bad-field', () => {
    expect(mappingError({ ...BIRTH, ngay_sinh: '31/02/2024' })).toMatchObject({ reason: 'bad-field', field: 'ngay_sinh' });
    expect(mappingError({ ...BIRTH, ngay_sinh: '2024-03-05' })).toMatchObject({ reason: 'bad-field', field: 'ngay_sinh' });
    expect(mappingError({ ...BIRTH, ngay_dang_ky: '12/03/2024 25:00:00' })).toMatchObject({ reason: 'bad-field', field: 'ngay_dang_ky' });
  });

  it('refuses a record without a name as missing-field', () => {
    expect(mappingError({ ...BIRTH, ho_ten: '  ' })).toMatchObject({ reason: 'missing-field', field: 'ho_ten' });
  });

  it('refuses a sex other than Nam or Nữ, and accepts a decomposed "Nữ"', () => {
    expect(mappingError({ ...BIRTH, gioi_tinh: 'F' })).toMatchObject({ reason: 'bad-field', field: 'gioi_tinh' });
    expect(toEvent({ ...BIRTH, gioi_tinh: 'Nữ'.normalize('NFD') }).payload).toMatchObject({ sex: 'female' });
  });

  it('leaves the id check to validation: an id that disagrees with the birth date maps, then is refused', () => {
    const event = toEvent({ ...BIRTH, ngay_sinh: '05/03/2023' });
    expect(validateEvent(JSON.stringify(event))).toMatchObject({ ok: false, reason: 'id-inconsistent' });
  });
});
