// Officers as registry actions: registered by an agency head (the first by the CA key holder),
// authenticated by their recorded operator certificate, and their competence checked (R17).
import { isDeepStrictEqual } from 'node:util';
import type { CertificateActions } from './certificate-actions.ts';
import { checkOfficer, type Officer } from './competent-authority.ts';
import { type Actor, CaKeyHolder, competenceProblem, type OfficerAct } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { orInvalid, RegistryError } from './registry-error.ts';
import { insertOnce, type RegistryCollections, type StoredOfficer } from './registry-store.ts';

/** What operator calls need: the officer an operator certificate belongs to, and their competence (R17). */
export type OfficerDirectory = Pick<OfficerActions, 'authenticateOfficer' | 'checkCompetence'>;

export class OfficerActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly act: Act,
    private readonly isCertificateRevoked: CertificateActions['isCertificateRevoked'],
  ) {}

  /**
   * An agency head registers an officer. Into an empty registry, the CA key holder registers the
   * first one, an agency head (the bootstrap: `dancu registry officer add` with the CA's key).
   */
  async addOfficer(input: unknown, by: Actor): Promise<Officer> {
    return this.act<Officer>('add-officer', by, {}, async ({ entry }) => {
      const officer = orInvalid(checkOfficer(input), 'officer');
      entry.detail = `${officer._id}: ${officer.level}${officer.locality ? ` ${JSON.stringify(officer.locality)}` : ''}`;
      if (by instanceof CaKeyHolder) {
        if ((await this.store.officers.countDocuments({}, { limit: 1 })) > 0)
          throw new RegistryError(
            'NOT_COMPETENT',
            `officers are registered: only an agency head adds more (act with their certificate), not ${by.name}`,
          );
        if (officer.level !== 'agency-head')
          throw new RegistryError('NOT_COMPETENT', 'the first officer of an empty registry is an agency head');
      }
      const known = await this.store.officers.findOne({ _id: officer._id });
      if (known !== null) {
        const { certificateFingerprints: _fingerprints, ...stated } = known;
        if (isDeepStrictEqual(stated, officer)) return { value: officer }; // a replay
        throw new RegistryError('CONFLICT', `officer id ${officer._id} is already someone else's`);
      }
      return {
        apply: async () => {
          if ((await insertOnce(this.store.officers, officer)) === 'taken')
            throw new RegistryError('CONFLICT', `officer id ${officer._id} is already someone else's`);
          return officer;
        },
      };
    });
  }

  /**
   * The registered officer an operator certificate belongs to: its fingerprint must be recorded with
   * that officer (`dancu pki issue <officer> --operator`) and not revoked. Read on every call, uncached.
   */
  async authenticateOfficer(
    officerId: string,
    fingerprint256: string,
  ): Promise<{ officer: StoredOfficer } | { refused: 'CERTIFICATE_NOT_REGISTERED' | 'CERTIFICATE_REVOKED'; message: string }> {
    const fingerprint = fingerprint256.toUpperCase();
    if (await this.isCertificateRevoked(fingerprint))
      return { refused: 'CERTIFICATE_REVOKED', message: `the operator certificate ${fingerprint} of ${officerId} has been revoked` };
    const officer = await this.store.officers.findOne({ _id: officerId });
    if (officer === null)
      return {
        refused: 'CERTIFICATE_NOT_REGISTERED',
        message: `${officerId} is not a registered officer (\`dancu registry officer add\`)`,
      };
    if (!(officer.certificateFingerprints ?? []).includes(fingerprint)) {
      return {
        refused: 'CERTIFICATE_NOT_REGISTERED',
        message: `the operator certificate ${fingerprint} is not recorded for officer ${officerId}: issue one with \`dancu pki issue ${officerId} --operator\``,
      };
    }
    return { officer };
  }

  /** Whether the officer may do an act that is about no requester (R17, officer-competence.ts). */
  checkCompetence(act: OfficerAct, officer: Officer): void {
    const problem = competenceProblem(act, officer);
    if (problem !== null) throw new RegistryError('NOT_COMPETENT', problem);
  }

  /** Every officer, with the fingerprints of their operator certificates. */
  async listOfficers(): Promise<StoredOfficer[]> {
    return (await this.store.officers.find({}).toArray()).sort((a, b) => a._id.localeCompare(b._id));
  }
}
