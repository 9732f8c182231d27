// Health record → canonical health event.
import { eventIdFor } from '../../schemas/event-id.ts';
import { type EnvelopeFields, makeSourceEvent, type SourceEvent } from '../../schemas/source-event.ts';
import type { BloodType } from '../../schemas/types.ts';
import {
  MappingError,
  type NativeRecord,
  requiredCode,
  requiredDate,
  requiredField,
  requiredTimestamp,
  startOfDay,
} from '../sdk/mapping-error.ts';
import { HEALTH_KINDS } from './native-record.ts';

/** "O Rh+", "AB Rh-", "A+" … */
const NATIVE_BLOOD_TYPE = /^(A|B|AB|O)\s*(?:Rh\s*)?([+-])$/i;

function bloodType(native: NativeRecord): BloodType {
  const text = requiredField(native, 'nhom_mau');
  const m = NATIVE_BLOOD_TYPE.exec(text);
  if (!m)
    throw new MappingError('bad-field', `column "nhom_mau" must be a blood type such as "O Rh+" or "AB Rh-", got "${text}"`, 'nhom_mau');
  return `${(m[1] ?? '').toUpperCase()}${m[2]}` as BloodType;
}

export function toEvent(native: NativeRecord): SourceEvent {
  const type = requiredCode(native, 'loai_ban_ghi', HEALTH_KINDS, 'unknown-type');
  const recordId = requiredField(native, 'ma_ho_so');
  const personalId = requiredField(native, 'so_dinh_danh');
  requiredField(native, 'ho_ten'); // every health record names the citizen; a nameless one is a broken export
  const recordedAt = requiredTimestamp(native, 'ngay_cap_nhat');
  const envelope: EnvelopeFields<'health'> = { source: 'health', eventId: eventIdFor('health', recordId), personalId, recordedAt };

  if (type === 'insurance-enrolled') {
    // Effective from the first day of the card's validity.
    const validFrom = requiredDate(native, 'gia_tri_tu');
    return makeSourceEvent(envelope, type, startOfDay(validFrom), {
      insuranceNumber: requiredField(native, 'ma_the_bhyt'),
      validFrom,
      validTo: requiredDate(native, 'gia_tri_den'),
      registeredFacility: { code: requiredField(native, 'ma_kcb_bd'), name: requiredField(native, 'ten_kcb_bd') },
    });
  }
  const testedOn = requiredDate(native, 'ngay_xet_nghiem');
  return makeSourceEvent(envelope, type, startOfDay(testedOn), {
    bloodType: bloodType(native),
    recordedBy: { code: requiredField(native, 'ma_co_so'), name: requiredField(native, 'ten_co_so') },
  });
}
