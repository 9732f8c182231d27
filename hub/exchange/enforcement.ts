// The enforcement pipeline: every consumer call passes these steps, in this order, and the
// first that fails refuses the whole call. Read it top to bottom; nothing else decides access.
//
//   authenticated system → agreement is the system's organisation's → agreement active
//   → assessment valid for the connected version → service granted → purpose granted
//   → every field granted in the mode asked → consent (non-state requesters) → rate, quota
//
// What the pipeline returns is the grant the handler answers within: the agreement, and the
// fields it may project to (exactly those asked, all of them granted).
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { PeerIdentity } from '../pki/peer-identity.ts';
import type { CitizenField } from '../citizen/fields.ts';
import type { ExchangeCall, ExchangeService, FieldMode } from './exchange-call.ts';
import { refuse, type RefusalReason } from './refusal.ts';

/** An agreement as the pipeline needs it (the registry's full record has more). */
export interface AgreementTerms {
  id: string;
  status: string;
  organisationId: string;
  systemId: string;
  validFrom: Date;
  validUntil: Date;
  services: readonly string[];
  purposes: readonly string[];
  grants: readonly { field: string; modes: readonly string[] }[];
  consentRequired: boolean;
  quota: { ratePerSecond: number; dailyLimit: number };
}

export type AssessmentVerdict = { ok: true } | { ok: false; reason: RefusalReason; message: string };

/** What the pipeline reads from the registry. The registry module implements it. */
export interface EnforcementRegistry {
  /** The system a certificate was issued to, if it is registered and the certificate is one it was issued. */
  systemOf(identity: PeerIdentity): Promise<{ systemId: string; organisationId: string; version: string } | null>;
  agreement(id: string): Promise<AgreementTerms | null>;
  /** The security assessment of the system version now connected (R29–R32). */
  assessment(agreement: AgreementTerms, connectedVersion: string, now: Date): Promise<AssessmentVerdict>;
  /** Whether the citizen's consent to this agreement stands (R12). */
  consentGranted(agreementId: string, personalId: string): Promise<boolean>;
  /** Counts one allowed call against today's quota and returns today's count including it. */
  countAllowedCall(agreementId: string, service: ExchangeService, now: Date): Promise<number>;
}

export interface Grant {
  agreement: AgreementTerms;
  systemId: string;
  organisationId: string;
  fields: CitizenField[];
}

export class Enforcement {
  /** Token buckets per agreement, rebuilt when the agreement's rate changes. */
  private readonly limiters = new Map<string, { rate: number; limiter: RateLimiterMemory }>();

  constructor(
    private readonly registry: EnforcementRegistry,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The caller's identity checks alone (steps 1–4): used by every service, incl. WatchChanges re-checks. */
  async admitSystem(identity: PeerIdentity | null, agreementId: string): Promise<Omit<Grant, 'fields'>> {
    // 1. An authenticated, registered system (mTLS already proved the key; the registry proves the binding).
    if (!identity) refuse('CERTIFICATE_MISSING', 'present the client certificate issued to your system by `dancu pki issue`');
    if (identity.kind !== 'system') refuse('CERTIFICATE_NOT_REGISTERED', `the certificate of ${identity.id} is an ${identity.kind} certificate, not a system's`);
    const system = await this.registry.systemOf(identity);
    if (!system) refuse('CERTIFICATE_NOT_REGISTERED', `the certificate presented for system ${identity.id} is not one the registry issued to a registered system`);

    // 2. The agreement is this organisation's and names this system: no borrowed agreements.
    const agreement = await this.registry.agreement(agreementId);
    if (!agreement) refuse('AGREEMENT_UNKNOWN', `no connection agreement ${agreementId}`);
    if (agreement.organisationId !== system.organisationId || agreement.systemId !== system.systemId) {
      refuse('AGREEMENT_NOT_YOURS', `agreement ${agreementId} was not made with system ${system.systemId} of ${system.organisationId}`);
    }

    // 3. Approved, not suspended or revoked, and within its validity window.
    const now = this.clock();
    if (agreement.status !== 'approved') refuse('AGREEMENT_NOT_ACTIVE', `agreement ${agreementId} is ${agreement.status}`);
    if (now < agreement.validFrom || now > agreement.validUntil) {
      refuse('AGREEMENT_NOT_ACTIVE', `agreement ${agreementId} is valid from ${agreement.validFrom.toISOString()} to ${agreement.validUntil.toISOString()}`);
    }

    // 4. A valid security assessment of the version now connected.
    const assessment = await this.registry.assessment(agreement, system.version, now);
    if (!assessment.ok) refuse(assessment.reason, assessment.message);

    return { agreement, systemId: system.systemId, organisationId: system.organisationId };
  }

  /** The whole pipeline for one call. Throws a Refusal at the first failing step. */
  async authorize(identity: PeerIdentity | null, call: ExchangeCall): Promise<Grant> {
    const admitted = await this.admitSystem(identity, call.context.agreementId);
    const { agreement } = admitted;

    // 5. The service.
    if (!agreement.services.includes(call.service)) refuse('SERVICE_NOT_GRANTED', `agreement ${agreement.id} does not grant ${call.service}`);

    // 6. The purpose, from the closed catalogue and named in the agreement.
    if (!agreement.purposes.includes(call.context.purpose)) {
      refuse('PURPOSE_NOT_GRANTED', `agreement ${agreement.id} does not name purpose ${call.context.purpose}`);
    }

    // 7. Every field, in the mode asked. One field too many refuses the whole call.
    const refused = call.fields.filter((field) => !grants(agreement, field, call.mode));
    if (refused.length > 0) {
      const mode = call.mode ?? 'any';
      refuse('FIELD_NOT_GRANTED', `agreement ${agreement.id} does not grant ${refused.join(', ')} in ${mode} mode; nothing was answered`);
    }

    // 8. Consent: a record the hub holds, confirmed by the citizen; never the caller's word.
    if (agreement.consentRequired) await this.requireConsent(agreement.id, call.personalIds, 'CONSENT_MISSING');

    // 9. Rate (per instance, token bucket) and the daily quota (in the store, across instances).
    await this.takeToken(agreement);
    const today = await this.registry.countAllowedCall(agreement.id, call.service, this.clock());
    if (today > agreement.quota.dailyLimit) {
      refuse('QUOTA_EXCEEDED', `agreement ${agreement.id} allows ${agreement.quota.dailyLimit} calls a day; the quota resets at midnight (Asia/Ho_Chi_Minh)`);
    }

    return { ...admitted, fields: call.fields };
  }

  /** Every named citizen's consent to the agreement stands (R12). */
  async requireConsent(agreementId: string, personalIds: readonly string[], reason: 'CONSENT_MISSING' | 'CONSENT_REVOKED'): Promise<void> {
    for (const personalId of personalIds) {
      if (!(await this.registry.consentGranted(agreementId, personalId))) {
        refuse(reason, `citizen ${personalId} has not consented (or no longer consents) to agreement ${agreementId}`);
      }
    }
  }

  private async takeToken(agreement: AgreementTerms): Promise<void> {
    const rate = agreement.quota.ratePerSecond;
    let entry = this.limiters.get(agreement.id);
    if (!entry || entry.rate !== rate) {
      entry = { rate, limiter: new RateLimiterMemory({ points: rate, duration: 1 }) };
      this.limiters.set(agreement.id, entry);
    }
    try {
      await entry.limiter.consume(agreement.id);
    } catch {
      refuse('RATE_LIMITED', `agreement ${agreement.id} allows ${rate} calls per second; slow down and retry`);
    }
  }
}

/** Whether the agreement grants the field in the mode (null: in any mode, as ReportDataError needs). */
export function grants(agreement: Pick<AgreementTerms, 'grants'>, field: string, mode: FieldMode | null): boolean {
  const grant = agreement.grants.find((candidate) => candidate.field === field);
  if (!grant) return false;
  return mode === null ? grant.modes.length > 0 : grant.modes.includes(mode);
}
