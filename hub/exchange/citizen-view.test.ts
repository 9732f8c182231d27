import { describe, expect, it } from 'vitest';
import type { CitizenDocument, FieldVersion } from '../citizen/citizen-document.ts';
import { claimMatches, matchesKey, project, valueMatches } from './citizen-view.ts';

function version(value: unknown): FieldVersion {
  return {
    value,
    source: 'civil-status',
    eventId: 'e1',
    eventType: 'birth-registered',
    effectiveAt: '1990-01-02T00:00:00Z',
    recordedAt: '1990-01-03T00:00:00Z',
    authoritative: true,
  };
}

const document: CitizenDocument = {
  _id: '001090000001',
  revision: 1,
  fields: {
    fullName: version('Nguyễn Văn An'),
    dateOfBirth: version('1990-01-02'),
    sex: version('male'),
    permanentAddress: version({ province: '01', line: 'Số 1' }),
  },
};

describe('what a consumer sees of a citizen', () => {
  it('R22: the personal id, full name and date of birth must all match; name spacing and case do not matter', () => {
    expect(matchesKey(document, { personalId: '001090000001', fullName: ' nguyễn  văn AN ', dateOfBirth: '1990-01-02' })).toBe(true);
    // The same name typed in decomposed Unicode (as some keyboards send it) still matches.
    expect(
      matchesKey(document, { personalId: '001090000001', fullName: 'Nguyễn Văn An'.normalize('NFD'), dateOfBirth: '1990-01-02' }),
    ).toBe(true);
    expect(matchesKey(document, { personalId: '001090000001', fullName: 'Nguyễn Văn Ân', dateOfBirth: '1990-01-02' })).toBe(false);
    expect(matchesKey(document, { personalId: '001090000001', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-01-03' })).toBe(false);
    expect(matchesKey(null, { personalId: '001090000001', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-01-02' })).toBe(false);
  });

  it('R7: the projection holds exactly the asked fields, in the order asked', () => {
    const fields = project(document, ['permanentAddress', 'sex', 'bloodType']);
    expect(fields.map((field) => field.field)).toEqual(['permanentAddress', 'sex']);
    expect(fields[0]).toEqual({
      field: 'permanentAddress',
      value: { province: '01', line: 'Số 1' },
      source: 'civil-status',
      effectiveAt: new Date('1990-01-02T00:00:00Z'),
      authoritative: true,
    });
  });

  it('R22: Verify compares values, structured ones whole', () => {
    expect(valueMatches('Nguyễn Văn An', 'NGUYỄN VĂN AN')).toBe(true);
    expect(valueMatches({ province: '01', line: 'Số 1' }, { line: 'số 1', province: '01' })).toBe(true);
    expect(valueMatches({ province: '01', line: 'Số 1' }, { province: '01' })).toBe(false);
    expect(valueMatches('1990-01-02', '1990-01-03')).toBe(false);
  });

  it('R22: a claim on what the personal id encodes is answered from the id, the same whether the citizen exists or not', () => {
    for (const stored of [document, null]) {
      expect(claimMatches(stored, '001090000001', 'sex', 'male')).toBe(true);
      expect(claimMatches(stored, '001090000001', 'sex', 'female')).toBe(false);
      expect(claimMatches(stored, '001090000001', 'birthRegistrationProvince', '001')).toBe(true);
    }
    expect(claimMatches(document, '001090000001', 'fullName', 'Nguyễn Văn An')).toBe(true);
    expect(claimMatches(null, '001090000001', 'fullName', 'Nguyễn Văn An')).toBe(false);
  });
});
