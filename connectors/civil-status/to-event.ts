// Civil-status register record → canonical civil-status event.
import { eventIdFor } from '../../schemas/event-id.ts';
import { type EnvelopeFields, makeSourceEvent, type SourceEvent } from '../../schemas/source-event.ts';
import type { BirthRegisteredPayload } from '../../schemas/types.ts';
import {
  type NativeRecord,
  optionalField,
  requiredAddress,
  requiredCode,
  requiredDate,
  requiredField,
  requiredSex,
  requiredTimestamp,
  startOfDay,
} from '../sdk/mapping-error.ts';
import { CIVIL_STATUS_KINDS } from './native-record.ts';

export function toEvent(native: NativeRecord): SourceEvent {
  const type = requiredCode(native, 'loai_su_kien', CIVIL_STATUS_KINDS, 'unknown-type');
  const recordId = requiredField(native, 'ma_ho_so');
  const personalId = requiredField(native, 'so_dinh_danh');
  const fullName = requiredField(native, 'ho_ten');
  const recordedAt = requiredTimestamp(native, 'ngay_dang_ky');
  const envelope: EnvelopeFields<'civil-status'> = {
    source: 'civil-status',
    eventId: eventIdFor('civil-status', recordId),
    personalId,
    recordedAt,
  };

  switch (type) {
    case 'birth-registered': {
      // The facts hold from the day of birth, whenever the birth was registered.
      const dateOfBirth = requiredDate(native, 'ngay_sinh');
      const payload: BirthRegisteredPayload = {
        fullName,
        dateOfBirth,
        sex: requiredSex(native, 'gioi_tinh'),
        placeOfBirth: requiredAddress(native, 'noi_sinh'),
        birthRegistrationProvince: optionalField(native, 'ma_tinh_dang_ky_khai_sinh') ?? personalId.slice(0, 3),
        ethnicity: requiredField(native, 'dan_toc'),
        nationality: optionalField(native, 'quoc_tich') ?? 'Việt Nam',
      };
      const fatherId = optionalField(native, 'so_dinh_danh_cha');
      const motherId = optionalField(native, 'so_dinh_danh_me');
      if (fatherId !== undefined) payload.fatherId = fatherId;
      if (motherId !== undefined) payload.motherId = motherId;
      return makeSourceEvent(envelope, type, startOfDay(dateOfBirth), payload);
    }
    case 'name-changed':
      // A change of name takes effect when it is registered.
      return makeSourceEvent(envelope, type, recordedAt, {
        newFullName: requiredField(native, 'ho_ten_moi'),
        previousFullName: fullName,
        reason: requiredField(native, 'ly_do'),
      });
    case 'marriage-registered':
      return makeSourceEvent(envelope, type, recordedAt, {
        spousePersonalId: requiredField(native, 'so_dinh_danh_vo_chong'),
        spouseFullName: requiredField(native, 'ho_ten_vo_chong'),
        registeredAt: { province: requiredField(native, 'noi_dang_ky_tinh'), ward: requiredField(native, 'noi_dang_ky_xa') },
      });
    case 'divorce-registered': {
      // A divorce takes effect with the court's decision, not with its entry in the register.
      const decidedOn = requiredDate(native, 'ngay_ban_an');
      return makeSourceEvent(envelope, type, startOfDay(decidedOn), {
        formerSpousePersonalId: requiredField(native, 'so_dinh_danh_vo_chong'),
        courtDecision: { number: requiredField(native, 'so_ban_an'), court: requiredField(native, 'toa_an'), decidedOn },
      });
    }
    case 'death-registered': {
      const dateOfDeath = requiredDate(native, 'ngay_chet');
      return makeSourceEvent(envelope, type, startOfDay(dateOfDeath), { dateOfDeath, placeOfDeath: requiredAddress(native, 'noi_chet') });
    }
  }
}
