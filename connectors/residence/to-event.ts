// Residence register record → canonical residence event.
import { eventIdFor } from '../../schemas/event-id.ts';
import { type EnvelopeFields, makeSourceEvent, type SourceEvent } from '../../schemas/source-event.ts';
import type { RelationToHead, TemporaryAbsenceDeclaredPayload } from '../../schemas/types.ts';
import {
  type NativeRecord,
  optionalAddress,
  optionalDate,
  optionalField,
  requiredAddress,
  requiredCode,
  requiredDate,
  requiredField,
  requiredTimestamp,
  startOfDay,
} from '../sdk/mapping-error.ts';
import { RESIDENCE_KINDS } from './native-record.ts';

const RELATIONS: Readonly<Record<string, RelationToHead>> = Object.fromEntries(
  (['chủ hộ', 'vợ', 'chồng', 'con', 'cha', 'mẹ', 'ông', 'bà', 'cháu', 'anh', 'chị', 'em', 'con dâu', 'con rể', 'khác'] as const).map(
    (relation) => [relation, relation],
  ),
);

export function toEvent(native: NativeRecord): SourceEvent {
  const type = requiredCode(native, 'loai_cu_tru', RESIDENCE_KINDS, 'unknown-type');
  const recordId = requiredField(native, 'ma_ho_so');
  const personalId = requiredField(native, 'so_dinh_danh');
  requiredField(native, 'ho_ten'); // every residence record names the citizen; a nameless one is a broken export
  const recordedAt = requiredTimestamp(native, 'ngay_dang_ky');
  const envelope: EnvelopeFields<'residence'> = { source: 'residence', eventId: eventIdFor('residence', recordId), personalId, recordedAt };

  switch (type) {
    case 'permanent-residence-registered': {
      const address = requiredAddress(native, 'dia_chi');
      const householdId = optionalField(native, 'so_ho');
      return makeSourceEvent(envelope, type, recordedAt, householdId === undefined ? { address } : { address, householdId });
    }
    case 'permanent-residence-removed':
      return makeSourceEvent(envelope, type, recordedAt, { reason: requiredField(native, 'ly_do') });
    case 'temporary-residence-registered': {
      // Effective from the first day of the stay when the record says so.
      const from = optionalDate(native, 'tu_ngay');
      return makeSourceEvent(envelope, type, from === undefined ? recordedAt : startOfDay(from), {
        address: requiredAddress(native, 'dia_chi'),
        validUntil: requiredDate(native, 'den_ngay'),
      });
    }
    case 'temporary-absence-declared': {
      const from = requiredDate(native, 'tu_ngay');
      const payload: TemporaryAbsenceDeclaredPayload = { from, until: requiredDate(native, 'den_ngay') };
      const destination = optionalAddress(native, 'noi_den');
      if (destination !== undefined) payload.destination = destination;
      return makeSourceEvent(envelope, type, startOfDay(from), payload);
    }
    case 'current-residence-declared':
      return makeSourceEvent(envelope, type, recordedAt, { address: requiredAddress(native, 'dia_chi') });
    case 'household-membership-changed':
      return makeSourceEvent(envelope, type, recordedAt, {
        householdId: requiredField(native, 'so_ho'),
        relationToHead: requiredCode(native, 'quan_he_chu_ho', RELATIONS),
        headPersonalId: requiredField(native, 'so_dinh_danh_chu_ho'),
      });
  }
}
