// R12: before a requester that is not a state body exploits a citizen's information, the citizen
// confirms consent or refusal through VNeID or another online public service. The hub keeps
// that confirmation, one document per agreement and citizen, and checks it on every call. The
// confirmation is the citizen's own: an assertion the e-identification platform signed
// (hub/eid/eid-assertion.ts), kept as the evidence; an operator cannot record one without it.
import type { Agreement } from './agreement.ts';

export const CONSENT_CHANNELS = ['VNeID', 'national-public-service-portal', 'mps-public-service-portal'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export function isConsentChannel(value: string): value is ConsentChannel {
  return (CONSENT_CHANNELS as readonly string[]).includes(value);
}

/** The citizen's signed confirmation a consent change was recorded with: the assertion itself, re-verifiable. */
export interface ConsentEvidence {
  /** The e-identification platform that signed it (`iss`). */
  issuer: string;
  /** The assertion's id (`jti`): the same confirmation twice is a replay. */
  id: string;
  /** When it was signed (`iat`): an older confirmation never overrides a later one. */
  issuedAt: Date;
  channel: ConsentChannel;
  /** The signed token (JWS compact form). */
  token: string;
}

/** Collection `consents`, `_id` = consentId(agreement, personal id): a read by `_id` per call. */
export interface ConsentRecord {
  _id: string;
  agreementId: string;
  personalId: string;
  state: 'granted' | 'revoked';
  channel: ConsentChannel;
  /** When the citizen last confirmed (granted) or withdrew (revoked). */
  at: Date;
  /** The citizen's signed confirmation of the current state (absent on records written before it was required). */
  evidence?: ConsentEvidence;
  history: { state: 'granted' | 'revoked'; channel: ConsentChannel; at: Date; assertion?: string }[];
}

export function consentId(agreementId: string, personalId: string): string {
  return `${agreementId}:${personalId}`;
}

export type ConsentStatus =
  | { required: false }
  | { required: true; granted: true; channel: ConsentChannel; since: Date }
  | { required: true; granted: false; reason: 'CONSENT_MISSING' | 'CONSENT_REVOKED' };

export function consentStatus(agreement: Pick<Agreement, 'consentRequired'>, record: ConsentRecord | null): ConsentStatus {
  if (!agreement.consentRequired) return { required: false };
  if (record === null) return { required: true, granted: false, reason: 'CONSENT_MISSING' };
  if (record.state === 'revoked') return { required: true, granted: false, reason: 'CONSENT_REVOKED' };
  return { required: true, granted: true, channel: record.channel, since: record.at };
}
