import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../schemas/validate-event.ts';
import { toEvent } from './to-event.ts';

const base = { so_dinh_danh: '001090123456', ho_ten: 'Nguyễn Văn An', ngay_dang_ky: '02/01/2024 08:45:00' };
const address = {
  dia_chi_tinh: 'Hà Nội',
  dia_chi_xa: 'Phường Cầu Giấy',
  dia_chi_duong: 'Trần Duy Hưng',
  dia_chi_chi_tiet: 'Số 12, ngõ 34',
};

describe('residence mapping', () => {
  it('R26: a permanent residence registration maps to permanent-residence-registered with the address and household', () => {
    const event = toEvent({ ...base, ...address, ma_ho_so: 'CT-1', loai_cu_tru: 'THUONG_TRU', so_ho: '001000000042' });
    expect(event).toMatchObject({
      source: 'residence',
      type: 'permanent-residence-registered',
      occurredAt: '2024-01-02T08:45:00+07:00',
      payload: {
        address: { province: 'Hà Nội', ward: 'Phường Cầu Giấy', street: 'Trần Duy Hưng', detail: 'Số 12, ngõ 34' },
        householdId: '001000000042',
      },
    });
  });

  it('maps removal, temporary residence, temporary absence, current residence and household membership', () => {
    const events = [
      { ...base, ma_ho_so: 'CT-2', loai_cu_tru: 'XOA_THUONG_TRU', ly_do: 'Chuyển đến nơi thường trú mới' },
      { ...base, ...address, ma_ho_so: 'CT-3', loai_cu_tru: 'TAM_TRU', tu_ngay: '05/01/2024', den_ngay: '05/01/2026' },
      {
        ...base,
        ma_ho_so: 'CT-4',
        loai_cu_tru: 'TAM_VANG',
        tu_ngay: '01/02/2024',
        den_ngay: '01/08/2024',
        noi_den_tinh: 'Đà Nẵng',
        noi_den_xa: 'Phường Thạch Thang',
      },
      { ...base, ...address, ma_ho_so: 'CT-5', loai_cu_tru: 'NOI_O_HIEN_TAI' },
      {
        ...base,
        ma_ho_so: 'CT-6',
        loai_cu_tru: 'QUAN_HE_CHU_HO',
        so_ho: '001000000042',
        quan_he_chu_ho: 'vợ',
        so_dinh_danh_chu_ho: '001088765432',
      },
    ].map(toEvent);
    expect(events.map((e) => e.type)).toEqual([
      'permanent-residence-removed',
      'temporary-residence-registered',
      'temporary-absence-declared',
      'current-residence-declared',
      'household-membership-changed',
    ]);
    for (const event of events) expect(validateEvent(JSON.stringify(event))).toMatchObject({ ok: true });
    expect(events[1]).toMatchObject({ occurredAt: '2024-01-05T00:00:00+07:00', payload: { validUntil: '2026-01-05' } });
    expect(events[2]?.payload).toEqual({
      from: '2024-02-01',
      until: '2024-08-01',
      destination: { province: 'Đà Nẵng', ward: 'Phường Thạch Thang' },
    });
  });

  it('refuses a relation to the head of household that the register does not use', () => {
    expect(() =>
      toEvent({
        ...base,
        ma_ho_so: 'CT-7',
        loai_cu_tru: 'QUAN_HE_CHU_HO',
        so_ho: '001000000042',
        quan_he_chu_ho: 'bạn',
        so_dinh_danh_chu_ho: '001088765432',
      }),
    ).toThrow(expect.objectContaining({ reason: 'bad-field', field: 'quan_he_chu_ho' }));
  });

  it('refuses an unknown residence kind as unknown-type and a half-filled address as missing-field', () => {
    expect(() => toEvent({ ...base, ma_ho_so: 'CT-8', loai_cu_tru: 'LUU_TRU' })).toThrow(
      expect.objectContaining({ reason: 'unknown-type' }),
    );
    expect(() => toEvent({ ...base, ma_ho_so: 'CT-9', loai_cu_tru: 'NOI_O_HIEN_TAI', dia_chi_tinh: 'Hà Nội' })).toThrow(
      expect.objectContaining({ reason: 'missing-field', field: 'dia_chi_xa' }),
    );
  });
});
