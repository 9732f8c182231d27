import { describe, expect, it } from 'vitest';
import { validateChange, validateCitizenRecord, validateDeadLetter } from './validators.ts';

describe('record schemas', () => {
  it('R5: a change on the change feed carries the field, new and previous value, source, event and times', () => {
    const change = {
      changeId: '3f2b8c1e-5d4a-4f7b-9c1d-2e6f8a9b0c3d:fullName',
      personalId: '001090123456',
      field: 'fullName',
      value: 'Nguyễn Minh An',
      previous: 'Nguyễn Văn An',
      source: 'civil-status',
      eventId: '3f2b8c1e-5d4a-4f7b-9c1d-2e6f8a9b0c3d',
      eventType: 'name-changed',
      effectiveAt: '2024-03-01T03:00:00.000Z',
      recordedAt: '2024-03-01T03:00:00.000Z',
      authoritative: true,
    };
    expect(validateChange(change), JSON.stringify(validateChange.errors)).toBe(true);
    expect(validateChange({ ...change, value: null, previous: { province: 'Hà Nội', ward: 'x' } })).toBe(true);
    expect(validateChange({ ...change, field: 'salary' })).toBe(false);
  });

  it('a dead letter keeps the reason, where the record came from and its original bytes', () => {
    const letter = {
      reason: 'id-inconsistent',
      detail: 'personal id 001290123456 has sex/century digit 2 …',
      path: '/personalId',
      sourceTopic: 'dancu.source.civil-status.v1',
      partition: 3,
      offset: '1234',
      key: '001290123456',
      original: { bytes: 2, sha256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', included: true },
      originalValueBase64: Buffer.from('{}').toString('base64'),
      headers: { 'dancu-event-id': '3f2b8c1e-5d4a-4f7b-9c1d-2e6f8a9b0c3d' },
      rejectedAt: '2025-06-30T10:00:00+07:00',
    };
    expect(validateDeadLetter(letter), JSON.stringify(validateDeadLetter.errors)).toBe(true);
    expect(validateDeadLetter({ ...letter, key: null })).toBe(true);
    expect(validateDeadLetter({ ...letter, offset: 12 })).toBe(false);
    const { originalValueBase64: _, ...withoutBytes } = letter;
    expect(validateDeadLetter({ ...withoutBytes, original: { ...letter.original, included: false }, truncated: ['original'] })).toBe(true);
    expect(validateDeadLetter({ ...letter, reason: 'conflict' })).toBe(true);
    expect(validateDeadLetter({ ...letter, reason: 'unheard-of' })).toBe(false);
  });

  it('a citizen record allows null for a field that no longer holds and nothing outside the catalogue', () => {
    const record = {
      personalId: '001090123456',
      fullName: 'Nguyễn Văn An',
      permanentAddress: null,
      idCard: { cardNumber: '001090123456', status: 'lost', reportedLostOn: '2024-02-15' },
      bloodType: 'O+',
    };
    expect(validateCitizenRecord(record), JSON.stringify(validateCitizenRecord.errors)).toBe(true);
    expect(validateCitizenRecord({ ...record, religion: 'x' })).toBe(false);
  });
});
