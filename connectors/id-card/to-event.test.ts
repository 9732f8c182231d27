import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../schemas/validate-event.ts';
import { toEvent } from './to-event.ts';

const issue = {
  ma_ho_so: 'CC-2021-0001',
  loai_giao_dich: 'CAP_MOI',
  so_dinh_danh: '001090123456',
  so_the: '001090123456',
  ho_ten: 'Nguyễn Văn An',
  ngay_sinh: '30/04/1990',
  gioi_tinh: 'Nam',
  ngay_cap: '10/05/2021',
  ngay_het_han: '29/04/2030',
  noi_cap: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
  thoi_diem_xu_ly: '10/05/2021 14:20:00',
};

describe('id-card mapping', () => {
  it('R26: a first căn cước card maps to card-issued with the holder as printed on the card', () => {
    expect(toEvent(issue)).toMatchObject({
      source: 'id-card',
      type: 'card-issued',
      occurredAt: '2021-05-10T00:00:00+07:00',
      recordedAt: '2021-05-10T14:20:00+07:00',
      payload: {
        cardNumber: '001090123456',
        issuedOn: '2021-05-10',
        expiresOn: '2030-04-29',
        fullName: 'Nguyễn Văn An',
        dateOfBirth: '1990-04-30',
        sex: 'male',
      },
    });
  });

  it("R20: the holder's mobile number, written as the register writes it, becomes phoneNumber in +84 form; a malformed one is bad-field", () => {
    const withPhone = toEvent({ ...issue, so_dien_thoai: '0912 345 678' });
    expect(withPhone.payload).toMatchObject({ phoneNumber: '+84912345678' });
    expect(validateEvent(JSON.stringify(withPhone)).ok).toBe(true);
    expect(toEvent({ ...issue, so_dien_thoai: '+84 912.345.678' }).payload).toMatchObject({ phoneNumber: '+84912345678' });
    expect(toEvent(issue).payload).not.toHaveProperty('phoneNumber');
    expect(() => toEvent({ ...issue, so_dien_thoai: '0212345678' })).toThrow(/so_dien_thoai/);
  });

  it('maps a renewal at an age milestone, a re-issue after loss and a loss report', () => {
    const renewed = toEvent({
      ...issue,
      ma_ho_so: 'CC-2',
      loai_giao_dich: 'CAP_DOI',
      ly_do_cap_doi: 'DU_TUOI',
      ngay_cap: '15/04/2030',
      ngay_het_han: '29/04/2050',
    });
    const reissued = toEvent({ ...issue, ma_ho_so: 'CC-3', loai_giao_dich: 'CAP_LAI', ngay_cap: '01/03/2024' });
    const lost = toEvent({
      ma_ho_so: 'CC-4',
      loai_giao_dich: 'BAO_MAT',
      so_dinh_danh: '001090123456',
      ho_ten: 'Nguyễn Văn An',
      ngay_bao_mat: '15/02/2024',
      thoi_diem_xu_ly: '15/02/2024 09:00:00',
    });
    expect(renewed).toMatchObject({ type: 'card-renewed', payload: { reason: 'age-milestone', expiresOn: '2050-04-29' } });
    expect(reissued).toMatchObject({ type: 'card-renewed', payload: { reason: 'lost' } });
    expect(lost).toMatchObject({ type: 'card-reported-lost', payload: { cardNumber: '001090123456', reportedOn: '2024-02-15' } });
    // Judged as the hub would in 2031, after the 2030 renewal took place.
    for (const event of [renewed, reissued, lost])
      expect(validateEvent(JSON.stringify(event), { now: new Date('2031-01-01T00:00:00Z') }).ok).toBe(true);
  });

  it('maps a card valid for life ("Không thời hạn") without an expiry date', () => {
    const event = toEvent({
      ...issue,
      so_dinh_danh: '001060123456',
      so_the: '001060123456',
      ngay_sinh: '01/01/1960',
      ngay_het_han: 'Không thời hạn',
    });
    expect(event.payload).not.toHaveProperty('expiresOn');
    expect(validateEvent(JSON.stringify(event)).ok).toBe(true);
  });

  it('refuses an unknown renewal reason as bad-field and an unknown transaction as unknown-type', () => {
    expect(() => toEvent({ ...issue, loai_giao_dich: 'CAP_DOI', ly_do_cap_doi: 'THICH' })).toThrow(
      expect.objectContaining({ reason: 'bad-field', field: 'ly_do_cap_doi' }),
    );
    expect(() => toEvent({ ...issue, loai_giao_dich: 'THU_HOI' })).toThrow(expect.objectContaining({ reason: 'unknown-type' }));
  });

  it('leaves sex/id agreement to validation: a card whose sex disagrees with the id is refused there', () => {
    expect(validateEvent(JSON.stringify(toEvent({ ...issue, gioi_tinh: 'Nữ' })))).toMatchObject({ ok: false, reason: 'id-inconsistent' });
  });
});
