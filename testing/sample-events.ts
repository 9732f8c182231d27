// Hand-written valid sample events, one of every type, for unit tests across the repository.
import type { SourceEvent } from '../schemas/source-event.ts';

export function birthEvent(overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: '3f2b8c1e-5d4a-4f7b-9c1d-2e6f8a9b0c3d',
    source: 'civil-status',
    type: 'birth-registered',
    personalId: '001090123456',
    occurredAt: '1990-04-30T00:00:00+07:00',
    recordedAt: '1990-05-02T09:15:00+07:00',
    schemaVersion: 1,
    payload: {
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-04-30',
      sex: 'male',
      placeOfBirth: { province: 'Hà Nội', ward: 'Phường Tràng Tiền' },
      birthRegistrationProvince: '001',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      ...payload,
    },
    ...overrides,
  };
}

const envelope = {
  eventId: '7a1d3c58-0b6e-4e2f-8d7a-5c9b1e3f2a40',
  personalId: '001090123456',
  occurredAt: '2024-03-01T00:00:00+07:00',
  recordedAt: '2024-03-01T10:00:00+07:00',
  schemaVersion: 1,
} as const;

const address = { province: 'Hà Nội', ward: 'Phường Cầu Giấy', street: 'Trần Duy Hưng', detail: 'Số 12' };
const facility = { code: '01001', name: 'Bệnh viện Đa khoa Hà Nội' };
const card = {
  cardNumber: '001090123456',
  issuedOn: '2021-05-10',
  expiresOn: '2030-04-29',
  issuingAuthority: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-04-30',
  sex: 'male',
} as const;

/** One valid event of every type, in the order of EVENT_TYPES. */
export const ONE_OF_EACH: SourceEvent[] = [
  birthEvent() as unknown as SourceEvent,
  { ...envelope, source: 'civil-status', type: 'death-registered', payload: { dateOfDeath: '2024-02-28', placeOfDeath: address } },
  {
    ...envelope,
    source: 'civil-status',
    type: 'divorce-registered',
    payload: {
      formerSpousePersonalId: '001192654321',
      courtDecision: { number: '125/2024/QĐST-HNGĐ', court: 'Tòa án nhân dân quận Cầu Giấy', decidedOn: '2024-02-20' },
    },
  },
  {
    ...envelope,
    source: 'civil-status',
    type: 'marriage-registered',
    payload: {
      spousePersonalId: '001192654321',
      spouseFullName: 'Trần Thị Bích',
      registeredAt: { province: 'Hà Nội', ward: 'Phường Cầu Giấy' },
    },
  },
  {
    ...envelope,
    source: 'civil-status',
    type: 'name-changed',
    payload: { newFullName: 'Nguyễn Minh An', previousFullName: 'Nguyễn Văn An', reason: 'Theo nguyện vọng cá nhân' },
  },
  { ...envelope, source: 'health', type: 'blood-type-recorded', payload: { bloodType: 'O+', recordedBy: facility } },
  {
    ...envelope,
    source: 'health',
    type: 'insurance-enrolled',
    payload: { insuranceNumber: 'DN4010123456789', validFrom: '2024-01-01', validTo: '2024-12-31', registeredFacility: facility },
  },
  { ...envelope, source: 'id-card', type: 'card-issued', payload: card },
  {
    ...envelope,
    source: 'id-card',
    type: 'card-renewed',
    payload: { ...card, issuedOn: '2030-04-10', expiresOn: '2050-04-29', reason: 'age-milestone' },
  },
  { ...envelope, source: 'id-card', type: 'card-reported-lost', payload: { cardNumber: '001090123456', reportedOn: '2024-02-15' } },
  { ...envelope, source: 'residence', type: 'current-residence-declared', payload: { address } },
  {
    ...envelope,
    source: 'residence',
    type: 'household-membership-changed',
    payload: { householdId: '001000000042', relationToHead: 'chủ hộ', headPersonalId: '001090123456' },
  },
  { ...envelope, source: 'residence', type: 'permanent-residence-registered', payload: { address, householdId: '001000000042' } },
  { ...envelope, source: 'residence', type: 'permanent-residence-removed', payload: { reason: 'Chuyển đến nơi thường trú mới' } },
  {
    ...envelope,
    source: 'residence',
    type: 'temporary-absence-declared',
    payload: { from: '2024-03-01', until: '2024-09-01', destination: address },
  },
  { ...envelope, source: 'residence', type: 'temporary-residence-registered', payload: { address, validUntil: '2026-03-01' } },
];
