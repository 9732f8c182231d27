import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../schemas/sources.ts';
import { AUTHORITY, CITIZEN_FIELDS, isAuthoritative, isCitizenField } from './fields.ts';

describe('authority table', () => {
  it('R26: names exactly one authoritative source for every canonical field', () => {
    expect(Object.keys(AUTHORITY).sort()).toEqual([...CITIZEN_FIELDS].sort());
    for (const field of CITIZEN_FIELDS) expect(SOURCES).toContain(AUTHORITY[field]);
  });

  it('R1: civil status is the authority for identity and civil status', () => {
    for (const field of ['fullName', 'dateOfBirth', 'sex', 'maritalStatus', 'spouseId', 'lifeStatus', 'dateOfDeath'] as const) {
      expect(isAuthoritative(field, 'civil-status')).toBe(true);
      expect(isAuthoritative(field, 'id-card')).toBe(false);
    }
  });

  it('residence is the authority for addresses, household and absence', () => {
    for (const field of ['permanentAddress', 'temporaryAddress', 'temporaryAbsence', 'currentAddress', 'household'] as const) {
      expect(AUTHORITY[field]).toBe('residence');
    }
  });

  it('the card register is the authority for the card, health for insurance and blood type', () => {
    expect(AUTHORITY.idCard).toBe('id-card');
    expect(AUTHORITY.healthInsurance).toBe('health');
    expect(AUTHORITY.bloodType).toBe('health');
  });

  it('every source is the authority for something', () => {
    for (const source of SOURCES) expect(Object.values(AUTHORITY)).toContain(source);
  });

  it('recognises field names', () => {
    expect(isCitizenField('bloodType')).toBe(true);
    expect(isCitizenField('toString')).toBe(false);
  });
});
