// Citizens' consent (R12) as registry actions: recorded or withdrawn only with the citizen's
// confirmation signed by the e-identification platform, read on the hot path.
import { checkPersonalId } from '../../schemas/personal-id.ts';
import type { EidAssertion, EidVerifier } from '../eid/eid-assertion.ts';
import type { Agreement } from './agreement.ts';
import { type ConsentEvidence, type ConsentRecord, type ConsentStatus, consentId, consentStatus } from './consent.ts';
import type { Actor } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { RegistryError } from './registry-error.ts';
import { type RegistryCollections, upsertRetried } from './registry-store.ts';
import type { RequestActions } from './request-actions.ts';

export class ConsentActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
    private readonly eid: EidVerifier | undefined,
    private readonly getAgreement: RequestActions['getAgreement'],
  ) {}

  /**
   * R12: the citizen's consent, recorded only with their confirmation signed by the e-identification
   * platform (an assertion whose `consent` claim names this agreement and `granted`, bound to the
   * citizen by its subject). The officer who records it must cover the requester's area.
   */
  async recordConsent(agreementId: string, personalId: string, by: Actor, confirmation: string): Promise<ConsentRecord> {
    return this.changeConsent('record-consent', 'granted', agreementId, personalId, by, confirmation);
  }

  /** The citizen withdrew consent: recorded with their signed confirmation, like a grant. */
  async revokeConsent(agreementId: string, personalId: string, by: Actor, confirmation: string): Promise<ConsentRecord> {
    return this.changeConsent('revoke-consent', 'revoked', agreementId, personalId, by, confirmation);
  }

  /** An officer covering the requester's area reads whether a citizen consented (`dancu consent show`); journaled, as it reveals a citizen's dealings. */
  async showConsent(agreementId: string, personalId: string, by: Actor): Promise<ConsentStatus> {
    return this.act<ConsentStatus>(
      'show-consent',
      by,
      { citizen: personalId },
      async ({ authorize }) => {
        const agreement = await this.getAgreement(agreementId);
        authorize(agreement.organisation);
        return { value: await this.consentStatus(agreement, personalId) };
      },
      { agreement: agreementId, citizens: [personalId] },
    );
  }

  /** R12 on the hot path: pass the agreement already in hand to skip reading it again. */
  async consentStatus(agreement: string | Pick<Agreement, 'id' | 'consentRequired'>, personalId: string): Promise<ConsentStatus> {
    const found = typeof agreement === 'string' ? await this.getAgreement(agreement) : agreement;
    if (!found.consentRequired) return consentStatus(found, null);
    return consentStatus(found, await this.store.consents.findOne({ _id: consentId(found.id, personalId) }));
  }

  private async consentAgreement(agreementId: string, personalId: string): Promise<Agreement> {
    const problems = checkPersonalId(personalId);
    if (problems.length > 0)
      throw new RegistryError(
        'INVALID',
        `${JSON.stringify(personalId)} is not a personal id: ${problems.map((p) => p.message).join('; ')}`,
      );
    const agreement = await this.getAgreement(agreementId);
    if (!agreement.consentRequired)
      throw new RegistryError('INVALID', `agreement ${agreementId} is with a state body: citizens' consent is not asked (R12)`);
    return agreement;
  }

  private async changeConsent(
    action: 'record-consent' | 'revoke-consent',
    state: ConsentRecord['state'],
    agreementId: string,
    personalId: string,
    by: Actor,
    confirmation: string,
  ): Promise<ConsentRecord> {
    return this.act<ConsentRecord>(
      action,
      by,
      { citizen: personalId },
      async ({ entry, authorize }) => {
        const agreement = await this.consentAgreement(agreementId, personalId);
        authorize(agreement.organisation);
        if (state === 'granted' && agreement.status === 'revoked')
          throw new RegistryError('INVALID_TRANSITION', `agreement ${agreementId} is revoked: there is nothing to consent to`);
        const evidence = await this.citizenConfirmation(confirmation, personalId, agreementId, state);
        entry.detail = `confirmed by the citizen through ${evidence.channel} (assertion ${evidence.id} of ${evidence.issuer})`;
        const id = consentId(agreementId, personalId);
        const current = await this.store.consents.findOne({ _id: id });
        if (state === 'revoked' && current === null)
          throw new RegistryError('NOT_FOUND', `citizen ${personalId} never consented under agreement ${agreementId}`);
        if (current?.evidence?.id === evidence.id && current.state === state) return { value: current }; // a replay
        if (current?.evidence && evidence.issuedAt.getTime() < current.evidence.issuedAt.getTime()) {
          // A replayed older confirmation must not undo a later one (a withdrawn consent re-granted).
          throw new RegistryError(
            'CONFLICT',
            `the citizen's confirmation on record (${current.evidence.issuedAt.toISOString()}) is later than this one: ask the citizen to confirm again`,
          );
        }
        return { apply: () => this.writeConsent(id, agreementId, personalId, state, evidence) };
      },
      { agreement: agreementId, citizens: [personalId] },
    );
  }

  /** The citizen's signed confirmation of exactly this consent change, or NOT_CONFIRMED. */
  private async citizenConfirmation(
    token: string,
    personalId: string,
    agreementId: string,
    state: ConsentRecord['state'],
  ): Promise<ConsentEvidence> {
    if (this.eid === undefined)
      throw new RegistryError(
        'NOT_CONFIRMED',
        'no e-identification platform is configured (DANCU_EID_JWKS): a consent cannot be confirmed',
      );
    let assertion: EidAssertion;
    try {
      assertion = await this.eid.verify(token, personalId);
    } catch (error) {
      throw new RegistryError(
        'NOT_CONFIRMED',
        `the citizen's confirmation is not valid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const consent = assertion.consent;
    if (consent === undefined || consent.agreement !== agreementId || consent.decision !== state) {
      throw new RegistryError(
        'NOT_CONFIRMED',
        `the citizen's assertion does not confirm consent ${state} under agreement ${agreementId}${consent ? ` (it confirms ${consent.decision} under ${consent.agreement})` : ''}`,
      );
    }
    return { issuer: assertion.issuer, id: assertion.id, issuedAt: assertion.issuedAt, channel: consent.channel, token };
  }

  private async writeConsent(
    id: string,
    agreementId: string,
    personalId: string,
    state: ConsentRecord['state'],
    evidence: ConsentEvidence,
  ): Promise<ConsentRecord> {
    const at = this.now();
    const { channel } = evidence;
    const after = await upsertRetried(() =>
      this.store.consents.findOneAndUpdate(
        { _id: id },
        {
          $set: { agreementId, personalId, state, channel, at, evidence },
          $push: { history: { state, channel, at, assertion: evidence.id } },
        },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    if (after === null) throw new Error(`consent ${id} was not written`);
    return after;
  }
}
