import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../schemas/validate-event.ts';
import { toEvent } from './to-event.ts';

const insurance = {
  ma_ho_so: 'BHYT-2025-1',
  loai_ban_ghi: 'THE_BHYT',
  so_dinh_danh: '001090123456',
  ho_ten: 'Nguyễn Văn An',
  ma_the_bhyt: 'DN4010123456789',
  gia_tri_tu: '01/01/2025',
  gia_tri_den: '31/12/2025',
  ma_kcb_bd: '01001',
  ten_kcb_bd: 'Bệnh viện Đa khoa Hà Nội',
  ngay_cap_nhat: '20/12/2024 16:05:00',
};

describe('health mapping', () => {
  it('R26: a health-insurance card maps to insurance-enrolled, effective from its first valid day', () => {
    expect(toEvent(insurance)).toMatchObject({
      source: 'health',
      type: 'insurance-enrolled',
      occurredAt: '2025-01-01T00:00:00+07:00',
      recordedAt: '2024-12-20T16:05:00+07:00',
      payload: {
        insuranceNumber: 'DN4010123456789',
        validFrom: '2025-01-01',
        validTo: '2025-12-31',
        registeredFacility: { code: '01001', name: 'Bệnh viện Đa khoa Hà Nội' },
      },
    });
  });

  it('maps a blood type written "AB Rh-" or "O+" to the canonical notation', () => {
    const blood = {
      ma_ho_so: 'NM-1',
      loai_ban_ghi: 'NHOM_MAU',
      so_dinh_danh: '001090123456',
      ho_ten: 'Nguyễn Văn An',
      ma_co_so: '01001',
      ten_co_so: 'Bệnh viện Bạch Mai',
      ngay_xet_nghiem: '03/03/2024',
      ngay_cap_nhat: '04/03/2024 08:00:00',
    };
    expect(toEvent({ ...blood, nhom_mau: 'AB Rh-' }).payload).toEqual({
      bloodType: 'AB-',
      recordedBy: { code: '01001', name: 'Bệnh viện Bạch Mai' },
    });
    expect(toEvent({ ...blood, nhom_mau: 'O+' }).payload).toMatchObject({ bloodType: 'O+' });
    expect(() => toEvent({ ...blood, nhom_mau: 'C Rh+' })).toThrow(expect.objectContaining({ reason: 'bad-field', field: 'nhom_mau' }));
  });

  it('maps records that validation then refuses when the card number is malformed', () => {
    const verdict = validateEvent(JSON.stringify(toEvent({ ...insurance, ma_the_bhyt: 'DN40101234' })));
    expect(verdict).toMatchObject({ ok: false, reason: 'schema-violation', path: '/payload/insuranceNumber' });
  });
});
