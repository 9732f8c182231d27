// Certificates as registry actions: pki records the fingerprints it issues with their holder (a
// system or an officer), and revocation puts them on the revocation list every call checks.

import {
  type CertificateHolder,
  FINGERPRINT,
  normaliseFingerprint,
  type RevocationTarget,
  type RevokedCertificate,
} from './certificate-revocation.ts';
import { type Actor, actorName } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { RegistryError } from './registry-error.ts';
import { insertOnce, type RegistryCollections } from './registry-store.ts';
import type { SystemActions } from './system-actions.ts';

export class CertificateActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
    private readonly findSystem: SystemActions['findSystem'],
  ) {}

  /** pki calls this when it issues a client certificate for a registered system. */
  async recordCertificate(systemId: string, fingerprint256: string, by: Actor): Promise<void> {
    await this.recordFingerprint('system', systemId, fingerprint256, by);
  }

  /** pki calls this when it issues an operator certificate: only a recorded certificate acts as its officer. */
  async recordOperatorCertificate(officerId: string, fingerprint256: string, by: Actor): Promise<void> {
    await this.recordFingerprint('operator', officerId, fingerprint256, by);
  }

  /**
   * Revokes one certificate, or every certificate recorded for a system or an officer but `keep`
   * (the one a re-issue just recorded). The revocation list is written before the fingerprints
   * leave their holder's record, and every hub instance is told at once.
   */
  async revokeCertificates(
    target: RevocationTarget,
    by: Actor,
    reason: string,
    options: { keep?: string } = {},
  ): Promise<RevokedCertificate[]> {
    return this.act('revoke-certificate', by, {}, async ({ entry, notice }) => {
      const why = reason.trim();
      if (why === '') throw new RegistryError('REASON_REQUIRED', 'a certificate is revoked with a written reason');
      const held = await this.certificatesOf(target);
      const fingerprints = held.fingerprints.filter((fingerprint) => fingerprint !== options.keep?.toUpperCase());
      entry.detail = `${held.holder} ${held.holderId}: ${fingerprints.join(', ') || 'none besides the new one'}: ${why}`;
      if (fingerprints.length === 0 && options.keep === undefined)
        throw new RegistryError('NOT_FOUND', `no certificate is recorded for ${held.holder} ${held.holderId}`);
      notice.certificates = fingerprints;
      return { apply: () => this.revokeAll(held.holder, held.holderId, fingerprints, actorName(by), why) };
    });
  }

  /** Whether the certificate is on the revocation list: one read by `_id`. */
  async isCertificateRevoked(fingerprint256: string): Promise<boolean> {
    return (await this.store.revokedCertificates.findOne({ _id: fingerprint256.toUpperCase() })) !== null;
  }

  private async recordFingerprint(holder: CertificateHolder, id: string, fingerprint256: string, by: Actor): Promise<void> {
    const fingerprint = fingerprint256.toUpperCase();
    await this.act('record-certificate', by, holder === 'system' ? { system: id } : {}, async ({ entry }) => {
      entry.detail = `${holder} ${id}: ${fingerprint}`;
      if (!FINGERPRINT.test(fingerprint))
        throw new RegistryError('INVALID', `${JSON.stringify(fingerprint256)} is not a SHA-256 fingerprint written AB:CD:… (32 bytes)`);
      const known = holder === 'system' ? await this.store.systems.findOne({ _id: id }) : await this.store.officers.findOne({ _id: id });
      if (known === null)
        throw new RegistryError(
          'NOT_FOUND',
          holder === 'system' ? `no system ${id}: submit a connection request for it first` : `no officer ${id}: add them first`,
        );
      const update = { $addToSet: { certificateFingerprints: fingerprint } };
      return {
        apply: async () => {
          if (holder === 'system') await this.store.systems.updateOne({ _id: id }, update);
          else await this.store.officers.updateOne({ _id: id }, update);
        },
      };
    });
  }

  /** The holder a revocation names, and the fingerprints recorded for it. */
  private async certificatesOf(target: RevocationTarget): Promise<{ holder: CertificateHolder; holderId: string; fingerprints: string[] }> {
    if ('system' in target) {
      const system = await this.findSystem(target.system);
      if (system === null) throw new RegistryError('NOT_FOUND', `no system ${target.system}`);
      return { holder: 'system', holderId: system._id, fingerprints: system.certificateFingerprints ?? [] };
    }
    if ('operator' in target) {
      const officer = await this.store.officers.findOne({ _id: target.operator });
      if (officer === null) throw new RegistryError('NOT_FOUND', `no officer ${target.operator}`);
      return { holder: 'operator', holderId: officer._id, fingerprints: officer.certificateFingerprints ?? [] };
    }
    const fingerprint = normaliseFingerprint(target.fingerprint);
    if (fingerprint === null)
      throw new RegistryError('INVALID', `${JSON.stringify(target.fingerprint)} is not a SHA-256 fingerprint written AB:CD:… (32 bytes)`);
    // Not by _id, so a scan: revocations are rare, and the holder is named in the list for people.
    const system = await this.store.systems.findOne({ certificateFingerprints: fingerprint });
    if (system !== null) return { holder: 'system', holderId: system._id, fingerprints: [fingerprint] };
    const officer = await this.store.officers.findOne({ certificateFingerprints: fingerprint });
    if (officer !== null) return { holder: 'operator', holderId: officer._id, fingerprints: [fingerprint] };
    // Issued but never recorded (an operator certificate from before they were): revoked all the same.
    return { holder: 'operator', holderId: '(unrecorded)', fingerprints: [fingerprint] };
  }

  /** The revocation list first (the truth), then the fingerprints leave the holder's record. */
  async revokeAll(
    holder: CertificateHolder,
    holderId: string,
    fingerprints: string[],
    by: string,
    reason: string,
  ): Promise<RevokedCertificate[]> {
    const revokedAt = this.now();
    const revoked = fingerprints.map((fingerprint) => ({ _id: fingerprint, holder, holderId, revokedAt, by, reason }));
    for (const record of revoked) await insertOnce(this.store.revokedCertificates, record, (doc) => doc._id);
    if (fingerprints.length === 0 || holderId === '(unrecorded)') return revoked;
    // $pullAll, not $pull with $in: FerretDB 1.24 matches no element with the latter, and says nothing.
    const pull = { $pullAll: { certificateFingerprints: fingerprints } };
    if (holder === 'system') await this.store.systems.updateOne({ _id: holderId }, pull);
    else await this.store.officers.updateOne({ _id: holderId }, pull);
    return revoked;
  }
}
