// R17 (draft circular, Điều 5): who may permit a requester to exploit population data.
//
//   5.1 head of the population-DB agency (Ministry of Public Security): central state bodies and
//       political / socio-political organisations; digital-signature and e-ID providers.
//   5.2 provincial police director: provincial state bodies; notaries, bailiffs and other
//       organisations assigned a public service in the province.
//   5.3 district police chief: district- and commune-level state bodies, and other organisations
//       whose head office is in the district.
//   5.4 commune police chief: individuals registered as permanent or temporary residents there.
//
// Credit institutions and telecom providers are named nowhere in Điều 5. Read literally they
// would fall under 5.3 ("other organisations headquartered in the district"); we send them to
// the agency head instead, because (a) Điều 6.2 groups them with the digital-signature and e-ID
// providers of 5.1, (b) their systems look up citizens nationwide, so only the national agency
// can weigh the request and organise the level-3 security assessment (R29–R31), and (c) that is
// how bank and telecom connections (eKYC, subscriber verification) are signed in practice, with
// the Ministry's population-DB agency. Change CENTRAL_AUTHORITY below if the final text differs.
//
// The 2025 reform removed the district level of local government; the draft still names it, so
// the table keeps it until the final text says which level inherits 5.3.
import type { Checked } from './registry-error.ts';
import { checkLocality, type Locality, type RequesterCategory } from './requester-category.ts';

export const AUTHORITY_LEVELS = ['agency-head', 'provincial-police', 'district-police', 'commune-police'] as const;
export type AuthorityLevel = (typeof AUTHORITY_LEVELS)[number];

/** The authority competent for a requester; `locality` is null for the nationwide agency head. */
export interface CompetentAuthority {
  level: AuthorityLevel;
  locality: Locality | null;
}

const LEVEL_BY_CATEGORY: Readonly<Record<RequesterCategory, AuthorityLevel>> = Object.freeze({
  CENTRAL_STATE_BODY: 'agency-head', // 5.1
  SIGNATURE_OR_EID_PROVIDER: 'agency-head', // 5.1
  PUBLIC_SERVICE_PORTAL: 'agency-head', // the portals connect nationally, like 5.1's central bodies
  CREDIT_INSTITUTION: 'agency-head', // not in Điều 5: see the header
  TELECOM_PROVIDER: 'agency-head', // not in Điều 5: see the header
  PROVINCIAL_STATE_BODY: 'provincial-police', // 5.2
  NOTARY: 'provincial-police', // 5.2
  BAILIFF: 'provincial-police', // 5.2
  PUBLIC_SERVICE_ORGANISATION: 'provincial-police', // 5.2
  DISTRICT_STATE_BODY: 'district-police', // 5.3
  COMMUNE_STATE_BODY: 'district-police', // 5.3
  OTHER_ORGANISATION: 'district-police', // 5.3, head office in the district
  INDIVIDUAL: 'commune-police', // 5.4, where registered as resident
});

/** Which locality parts an authority level is bound to. */
const PARTS: Readonly<Record<AuthorityLevel, readonly (keyof Locality)[]>> = Object.freeze({
  'agency-head': [],
  'provincial-police': ['province'],
  'district-police': ['province', 'district'],
  'commune-police': ['province', 'district', 'commune'],
});

function cut(locality: Locality, level: AuthorityLevel): Locality | null {
  const parts = PARTS[level];
  if (parts.length === 0) return null;
  const out: Locality = { province: locality.province };
  if (parts.includes('district') && locality.district !== undefined) out.district = locality.district;
  if (parts.includes('commune') && locality.commune !== undefined) out.commune = locality.commune;
  return out;
}

/** Whether a requester's locality is precise enough for the authority its category goes to. */
export function checkRequesterLocality(category: RequesterCategory, locality: Locality): Checked<Locality> {
  const level = LEVEL_BY_CATEGORY[category];
  const missing = PARTS[level].filter((part) => locality[part] === undefined);
  if (missing.length === 0) return { ok: true, value: locality };
  return { ok: false, problems: [`a ${category} is permitted by the ${level}, so its locality needs ${missing.join(' and ')}`] };
}

export function competentAuthority(category: RequesterCategory, locality: Locality): CompetentAuthority {
  const level = LEVEL_BY_CATEGORY[category];
  return { level, locality: cut(locality, level) };
}

/** An officer who may decide requests: their level and the area they answer for. */
export interface Officer {
  _id: string;
  name: string;
  level: AuthorityLevel;
  /** Absent for the agency head, who answers for the whole country. */
  locality?: Locality;
}

export function checkOfficer(value: unknown): Checked<Officer> {
  if (typeof value !== 'object' || value === null)
    return { ok: false, problems: ['an officer is an object { _id, name, level, locality? }'] };
  const { _id, name, level, locality } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof _id !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(_id))
    problems.push(`officer id must be 1–64 letters, digits, . _ : -, not ${JSON.stringify(_id)}`);
  if (typeof name !== 'string' || name.trim() === '') problems.push('officer name must not be empty');
  if (typeof level !== 'string' || !(AUTHORITY_LEVELS as readonly string[]).includes(level)) {
    problems.push(`officer level must be one of ${AUTHORITY_LEVELS.join(', ')}, not ${JSON.stringify(level)}`);
    return { ok: false, problems };
  }
  const officer: Officer = { _id: _id as string, name: name as string, level: level as AuthorityLevel };
  if (level === 'agency-head') {
    if (locality !== undefined) problems.push('the agency head answers for the whole country: give no locality');
  } else {
    const checked = checkLocality(locality, 'officer locality');
    if (!checked.ok) problems.push(...checked.problems);
    else {
      const missing = PARTS[level as AuthorityLevel].filter((part) => checked.value[part] === undefined);
      if (missing.length > 0) problems.push(`a ${level} officer's locality needs ${missing.join(' and ')}`);
      else officer.locality = cut(checked.value, level as AuthorityLevel) ?? undefined;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: officer };
}

/** R17: whether this officer is the competent authority for a requester of this category and locality. */
export function mayDecide(officer: Officer, requester: { category: RequesterCategory; locality: Locality }): boolean {
  const wanted = competentAuthority(requester.category, requester.locality);
  if (officer.level !== wanted.level) return false;
  return PARTS[wanted.level].every((part) => officer.locality?.[part] === wanted.locality?.[part]);
}
