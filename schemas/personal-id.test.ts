import { describe, expect, it } from 'vitest';
import { checkPersonalId, makePersonalId, parsePersonalId } from './personal-id.ts';
import { PROVINCE_CODES, provinceName } from './provinces.ts';

describe('personal id', () => {
  it('R26: accepts an id whose province, sex/century digit and year agree with the record', () => {
    expect(checkPersonalId('001090123456', { dateOfBirth: '1990-04-30', sex: 'male' })).toEqual([]);
    expect(checkPersonalId('079305000123', { dateOfBirth: '2005-12-01', sex: 'female' })).toEqual([]);
  });

  it('rejects an id that is not 12 digits', () => {
    expect(checkPersonalId('00109012345').map((p) => p.part)).toEqual(['structure']);
    expect(checkPersonalId('00109012345x').map((p) => p.part)).toEqual(['structure']);
  });

  it('rejects an id whose first three digits are not one of the 63 province codes', () => {
    const [problem] = checkPersonalId('003090123456');
    expect(problem?.part).toBe('province');
    expect(problem?.message).toContain('003');
  });

  it('rejects an id whose century digit disagrees with the date of birth', () => {
    // digit 2 = male born 2000–2099, but born 1990
    const problems = checkPersonalId('001290123456', { dateOfBirth: '1990-04-30', sex: 'male' });
    expect(problems.map((p) => p.part)).toEqual(['century']);
    expect(problems[0]?.message).toContain('2000–2099');
  });

  it('rejects an id whose sex digit disagrees with the sex', () => {
    const problems = checkPersonalId('001190123456', { dateOfBirth: '1990-04-30', sex: 'male' });
    expect(problems.map((p) => p.part)).toEqual(['sex']);
  });

  it('rejects an id whose year digits disagree with the year of birth', () => {
    const problems = checkPersonalId('001091123456', { dateOfBirth: '1990-04-30' });
    expect(problems.map((p) => p.part)).toEqual(['birth-year']);
  });

  it('reads every century digit: 8/9 for 1800s, 0/1, 2/3, 4/5, 6/7 for 1900s to 2200s', () => {
    expect(parsePersonalId('001885000001')).toMatchObject({ sex: 'male', birthYear: 1885 });
    expect(parsePersonalId('001505000001')).toMatchObject({ sex: 'female', birthYear: 2105 });
    expect(parsePersonalId('001905000001')).toMatchObject({ sex: 'female', birthYear: 1805 });
    expect(parsePersonalId('001605000001')).toMatchObject({ sex: 'male', birthYear: 2205 });
    expect(parsePersonalId('001350000001')).toMatchObject({ sex: 'female', birthYear: 2050 });
  });

  it('makes ids that check out against their own facts', () => {
    for (const [sex, year] of [
      ['male', 1899],
      ['female', 1950],
      ['male', 2024],
      ['female', 2150],
    ] as const) {
      const id = makePersonalId('079', sex, year, 42);
      expect(id).toHaveLength(12);
      expect(checkPersonalId(id, { dateOfBirth: `${year}-01-01`, sex })).toEqual([]);
    }
    expect(() => makePersonalId('079', 'male', 1799, 1)).toThrow(RangeError);
  });

  it('knows the 63 provinces by code', () => {
    expect(PROVINCE_CODES).toHaveLength(63);
    expect(provinceName('001')).toBe('Hà Nội');
    expect(provinceName('079')).toBe('Hồ Chí Minh');
    expect(provinceName('003')).toBeUndefined();
  });
});
