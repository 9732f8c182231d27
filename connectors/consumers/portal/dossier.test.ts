import { describe, expect, it } from 'vitest';
import { parseDossier } from './dossier.ts';

describe('reading a dossier line', () => {
  it('takes the applicant by id, name and date of birth, and what they declared', () => {
    const dossier = parseDossier({
      dossierId: 'HS-1',
      personalId: '001099012345',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-05-17',
      declared: { permanentAddress: { province: 'Hà Nội', ward: 'Kim Liên' } },
    });
    expect(dossier).toEqual({
      dossierId: 'HS-1',
      applicant: { personalId: '001099012345', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-17' },
      declared: { permanentAddress: { province: 'Hà Nội', ward: 'Kim Liên' } },
    });
  });

  it('says which dossier and which property is wrong, before any call is spent on it', () => {
    expect(() => parseDossier({ dossierId: 'HS-2', personalId: '12', fullName: 'A', dateOfBirth: '1990-05-17' })).toThrow(
      'dossier HS-2: "personalId" must be the 12-digit personal id',
    );
    expect(() => parseDossier({ dossierId: 'HS-3', personalId: '001099012345', fullName: 'A', dateOfBirth: '17/05/1990' })).toThrow(
      /YYYY-MM-DD/,
    );
    expect(() => parseDossier({ personalId: '001099012345' })).toThrow('"dossierId" is required');
    expect(() => parseDossier(['not', 'an', 'object'])).toThrow('a dossier must be a JSON object');
  });
});
