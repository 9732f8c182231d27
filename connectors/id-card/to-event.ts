// Identity-card register record → canonical id-card event.
import { eventIdFor } from '../../schemas/event-id.ts';
import { type EnvelopeFields, makeSourceEvent, type SourceEvent } from '../../schemas/source-event.ts';
import type { CardIssuedPayload, CardRenewedPayload } from '../../schemas/types.ts';
import {
  type NativeRecord,
  optionalField,
  phoneNumberField,
  requiredCode,
  requiredDate,
  requiredField,
  requiredSex,
  requiredTimestamp,
  startOfDay,
} from '../sdk/mapping-error.ts';
import { ID_CARD_KINDS, NO_EXPIRY, RENEWAL_REASONS } from './native-record.ts';

export function toEvent(native: NativeRecord): SourceEvent {
  const type = requiredCode(native, 'loai_giao_dich', ID_CARD_KINDS, 'unknown-type');
  const recordId = requiredField(native, 'ma_ho_so');
  const personalId = requiredField(native, 'so_dinh_danh');
  const fullName = requiredField(native, 'ho_ten');
  const recordedAt = requiredTimestamp(native, 'thoi_diem_xu_ly');
  const cardNumber = optionalField(native, 'so_the') ?? personalId;
  const envelope: EnvelopeFields<'id-card'> = { source: 'id-card', eventId: eventIdFor('id-card', recordId), personalId, recordedAt };

  if (type === 'card-reported-lost') {
    const reportedOn = requiredDate(native, 'ngay_bao_mat');
    return makeSourceEvent(envelope, type, startOfDay(reportedOn), { cardNumber, reportedOn });
  }
  const issuedOn = requiredDate(native, 'ngay_cap');
  const card: CardIssuedPayload = {
    cardNumber,
    issuedOn,
    issuingAuthority: requiredField(native, 'noi_cap'),
    fullName,
    dateOfBirth: requiredDate(native, 'ngay_sinh'),
    sex: requiredSex(native, 'gioi_tinh'),
  };
  // Cards issued at 58 or older are valid for life.
  const expiry = optionalField(native, 'ngay_het_han');
  if (expiry !== undefined && expiry !== NO_EXPIRY) card.expiresOn = requiredDate(native, 'ngay_het_han');
  const phoneNumber = phoneNumberField(native, 'so_dien_thoai');
  if (phoneNumber !== undefined) card.phoneNumber = phoneNumber;
  if (type === 'card-issued') return makeSourceEvent(envelope, type, startOfDay(issuedOn), card);
  const reason: CardRenewedPayload['reason'] =
    native.loai_giao_dich?.trim() === 'CAP_LAI' ? 'lost' : requiredCode(native, 'ly_do_cap_doi', RENEWAL_REASONS);
  const renewed: CardRenewedPayload = Object.assign(card, { reason });
  return makeSourceEvent(envelope, type, startOfDay(issuedOn), renewed);
}
