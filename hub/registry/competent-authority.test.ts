import { describe, expect, it } from 'vitest';
import { checkOfficer, competentAuthority, mayDecide, type Officer } from './competent-authority.ts';
import { checkLocality, consentRequired, feeClass, type Locality, type RequesterCategory } from './requester-category.ts';

const HANOI_BA_DINH: Locality = { province: '01', district: '001', commune: '00001' };
const head: Officer = { _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' };
const hanoiDirector: Officer = {
  _id: 'ha-noi-director',
  name: 'Giám đốc CATP Hà Nội',
  level: 'provincial-police',
  locality: { province: '01' },
};
const hcmcDirector: Officer = { _id: 'hcm-director', name: 'Giám đốc CATP HCM', level: 'provincial-police', locality: { province: '79' } };
const baDinhChief: Officer = {
  _id: 'ba-dinh-chief',
  name: 'Trưởng CAQ Ba Đình',
  level: 'district-police',
  locality: { province: '01', district: '001' },
};
const otherDistrictChief: Officer = {
  _id: 'hoan-kiem-chief',
  name: 'Trưởng CAQ Hoàn Kiếm',
  level: 'district-police',
  locality: { province: '01', district: '002' },
};
const communeChief: Officer = { _id: 'phuc-xa-chief', name: 'Trưởng CAP Phúc Xá', level: 'commune-police', locality: HANOI_BA_DINH };

const requester = (category: RequesterCategory, locality: Locality = HANOI_BA_DINH) => ({ category, locality });

describe('competent authority (Điều 5)', () => {
  it.each([
    ['CENTRAL_STATE_BODY', 'agency-head'],
    ['SIGNATURE_OR_EID_PROVIDER', 'agency-head'],
    ['CREDIT_INSTITUTION', 'agency-head'],
    ['TELECOM_PROVIDER', 'agency-head'],
    ['PROVINCIAL_STATE_BODY', 'provincial-police'],
    ['NOTARY', 'provincial-police'],
    ['BAILIFF', 'provincial-police'],
    ['PUBLIC_SERVICE_ORGANISATION', 'provincial-police'],
    ['DISTRICT_STATE_BODY', 'district-police'],
    ['COMMUNE_STATE_BODY', 'district-police'],
    ['OTHER_ORGANISATION', 'district-police'],
    ['INDIVIDUAL', 'commune-police'],
  ] as const)('R17: a %s is permitted by the %s', (category, level) => {
    expect(competentAuthority(category, HANOI_BA_DINH).level).toBe(level);
  });

  it("R17: the authority is bound to the requester's own area, cut to its level", () => {
    expect(competentAuthority('NOTARY', HANOI_BA_DINH)).toEqual({ level: 'provincial-police', locality: { province: '01' } });
    expect(competentAuthority('CENTRAL_STATE_BODY', HANOI_BA_DINH)).toEqual({ level: 'agency-head', locality: null });
  });

  it("R17: the agency head approves a central body's request", () => {
    expect(mayDecide(head, requester('CENTRAL_STATE_BODY'))).toBe(true);
  });

  it("R17: a provincial police director cannot approve a central body's request", () => {
    expect(mayDecide(hanoiDirector, requester('CENTRAL_STATE_BODY'))).toBe(false);
  });

  it('R17: the agency head cannot approve a notary, whom the provincial director permits', () => {
    expect(mayDecide(head, requester('NOTARY'))).toBe(false);
    expect(mayDecide(hanoiDirector, requester('NOTARY'))).toBe(true);
  });

  it('R17: a provincial director cannot approve a provincial body of another province', () => {
    expect(mayDecide(hcmcDirector, requester('PROVINCIAL_STATE_BODY'))).toBe(false);
    expect(mayDecide(hanoiDirector, requester('PROVINCIAL_STATE_BODY'))).toBe(true);
  });

  it('R17: only the district police of the head office permits another organisation', () => {
    expect(mayDecide(baDinhChief, requester('OTHER_ORGANISATION'))).toBe(true);
    expect(mayDecide(otherDistrictChief, requester('OTHER_ORGANISATION'))).toBe(false);
    expect(mayDecide(hanoiDirector, requester('OTHER_ORGANISATION'))).toBe(false);
  });

  it('R17: only the commune police where an individual is resident permits them', () => {
    expect(mayDecide(communeChief, requester('INDIVIDUAL'))).toBe(true);
    expect(mayDecide(communeChief, requester('INDIVIDUAL', { province: '01', district: '001', commune: '00004' }))).toBe(false);
    expect(mayDecide(baDinhChief, requester('INDIVIDUAL'))).toBe(false);
  });

  it('R17: an officer needs a locality as precise as their level, and the agency head none', () => {
    expect(checkOfficer({ _id: 'x', name: 'X', level: 'district-police', locality: { province: '01' } })).toEqual({
      ok: false,
      problems: ["a district-police officer's locality needs district"],
    });
    expect(checkOfficer({ _id: 'x', name: 'X', level: 'agency-head', locality: { province: '01' } }).ok).toBe(false);
    expect(checkOfficer({ _id: 'x', name: 'X', level: 'minister' }).ok).toBe(false);
    expect(checkOfficer({ _id: 'd', name: 'D', level: 'provincial-police', locality: { province: '01', district: '001' } })).toEqual({
      ok: true,
      value: { _id: 'd', name: 'D', level: 'provincial-police', locality: { province: '01' } },
    });
  });
});

describe('requester category', () => {
  it("R12: only requesters that are not state bodies need the citizen's consent", () => {
    expect(consentRequired('CENTRAL_STATE_BODY')).toBe(false);
    expect(consentRequired('COMMUNE_STATE_BODY')).toBe(false);
    expect(consentRequired('CREDIT_INSTITUTION')).toBe(true);
    expect(consentRequired('INDIVIDUAL')).toBe(true);
  });

  it('R23: state bodies use the state budget, everyone else is charged', () => {
    expect(feeClass('PROVINCIAL_STATE_BODY')).toBe('state-budget');
    expect(feeClass('TELECOM_PROVIDER')).toBe('chargeable');
  });

  it('R17: a locality names one of the 63 provinces by its two-digit code', () => {
    expect(checkLocality({ province: '79', district: '760' }).ok).toBe(true);
    expect(checkLocality({ province: '03' })).toEqual({ ok: false, problems: [expect.stringContaining('63 two-digit province codes')] });
    expect(checkLocality({ province: '001' }).ok).toBe(false);
    expect(checkLocality({ province: '01', commune: '00001' })).toEqual({
      ok: false,
      problems: ['locality.commune needs the district it lies in'],
    });
    expect(checkLocality({ province: '01', ward: 'x' }).ok).toBe(false);
  });
});
