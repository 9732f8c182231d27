// Who is asking: the requester's category decides who may permit it (R17), which channels it may
// use (R18), whether the citizen must consent (R12) and whether it pays (R23).
import { isProvinceCode } from '../../schemas/provinces.ts';
import type { Checked } from './registry-error.ts';

export const REQUESTER_CATEGORIES = [
  'CENTRAL_STATE_BODY', // state bodies, political and socio-political organisations at central level
  'PROVINCIAL_STATE_BODY',
  'DISTRICT_STATE_BODY',
  'COMMUNE_STATE_BODY',
  'SIGNATURE_OR_EID_PROVIDER', // digital-signature certification and e-identification providers
  'CREDIT_INSTITUTION',
  'TELECOM_PROVIDER',
  'NOTARY',
  'BAILIFF',
  'PUBLIC_SERVICE_ORGANISATION', // other organisations assigned to provide a public service
  'PUBLIC_SERVICE_PORTAL', // the national and ministry / provincial public-service portals, VNeID (R6, R10, R21): the only holders of SelfService
  'OTHER_ORGANISATION',
  'INDIVIDUAL',
] as const;

export type RequesterCategory = (typeof REQUESTER_CATEGORIES)[number];

export function isRequesterCategory(value: string): value is RequesterCategory {
  return (REQUESTER_CATEGORIES as readonly string[]).includes(value);
}

const STATE_BODIES: ReadonlySet<RequesterCategory> = new Set([
  'CENTRAL_STATE_BODY',
  'PUBLIC_SERVICE_PORTAL', // state-run; it serves citizens their own data, which needs no consent
  'PROVINCIAL_STATE_BODY',
  'DISTRICT_STATE_BODY',
  'COMMUNE_STATE_BODY',
]);

/** State bodies exploit within their functions (R7); everyone else needs the citizen's consent (R12). */
export function isStateBody(category: RequesterCategory): boolean {
  return STATE_BODIES.has(category);
}

export function consentRequired(category: RequesterCategory): boolean {
  return !isStateBody(category);
}

/**
 * R23: uses funded by the state budget are free; everyone else pays, so usage is metered per
 * agreement either way and the fee class says whether the meter is billed.
 */
export type FeeClass = 'state-budget' | 'chargeable';

export function feeClass(category: RequesterCategory): FeeClass {
  return isStateBody(category) ? 'state-budget' : 'chargeable';
}

/**
 * Where a requester sits (its seat, or for an individual where they are registered as resident),
 * in the national administrative-unit codes: province 2 digits (the personal-id province code of
 * schemas/data/provinces.json without its leading 0, e.g. `01` Hà Nội), district 3 digits,
 * commune 5 digits. Lower levels need the higher ones.
 */
export interface Locality {
  province: string;
  district?: string;
  commune?: string;
}

export function checkLocality(value: unknown, path = 'locality'): Checked<Locality> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problems: [`${path} must be an object { province, district?, commune? }`] };
  const { province, district, commune, ...rest } = value as Record<string, unknown>;
  const problems = Object.keys(rest).map((key) => `${path}.${key} is not a locality part (province, district, commune)`);
  if (typeof province !== 'string' || !/^[0-9]{2}$/.test(province) || !isProvinceCode(`0${province}`)) {
    problems.push(
      `${path}.province must be one of the 63 two-digit province codes (e.g. "01" for Hà Nội), not ${JSON.stringify(province)}`,
    );
  }
  if (district !== undefined && (typeof district !== 'string' || !/^[0-9]{3}$/.test(district))) {
    problems.push(`${path}.district must be a three-digit district code, not ${JSON.stringify(district)}`);
  }
  if (commune !== undefined && (typeof commune !== 'string' || !/^[0-9]{5}$/.test(commune))) {
    problems.push(`${path}.commune must be a five-digit commune code, not ${JSON.stringify(commune)}`);
  }
  if (commune !== undefined && district === undefined) problems.push(`${path}.commune needs the district it lies in`);
  if (problems.length > 0) return { ok: false, problems };
  const locality: Locality = { province: province as string };
  if (district !== undefined) locality.district = district as string;
  if (commune !== undefined) locality.commune = commune as string;
  return { ok: true, value: locality };
}
