// Security assessments (R29–R32) as registry actions: recorded by the agency, the e-identification
// platform's exemption confirmed, and whether a system's version is admitted now.
import { isDeepStrictEqual } from 'node:util';
import type { JournalActor } from '../journal/journal-entry.ts';
import type { Agreement } from './agreement.ts';
import { type Actor, actorName } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { orInvalid, RegistryError } from './registry-error.ts';
import { type EidPlatformConfirmation, type RegistryCollections, upsertRetried } from './registry-store.ts';
import { type AssessmentStatus, assessmentStatus, checkAssessment, type SecurityAssessment } from './security-assessment.ts';
import type { SourceSystem } from './source-system.ts';
import type { SystemActions } from './system-actions.ts';

export class AssessmentActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
    private readonly findSystem: SystemActions['findSystem'],
  ) {}

  /** A registered source system and whether its version's assessment admits it now (R29–R32). */
  async sourceSystemStatus(systemId: string, now = this.now()): Promise<{ system: SourceSystem; assessment: AssessmentStatus } | null> {
    const record = await this.findSystem(systemId);
    if (!record?.source || !record.version) return null;
    const system = { systemId, organisationId: record.organisationId, source: record.source, version: record.version };
    return {
      system,
      assessment: assessmentStatus(
        { version: record.version, connectedViaEidPlatform: false },
        await this.assessmentHistory(systemId),
        now,
      ),
    };
  }

  /** R29–R32, R34: the agency (its head) records an assessment it organised. */
  async recordAssessment(input: unknown, by: Actor): Promise<SecurityAssessment> {
    const stated = (input ?? {}) as { assessor?: unknown; systemId?: unknown };
    const actor: JournalActor = {};
    if (typeof stated.assessor === 'string') actor.organisation = stated.assessor;
    if (typeof stated.systemId === 'string') actor.system = stated.systemId;
    return this.act<SecurityAssessment>('record-assessment', by, actor, async ({ entry }) => {
      const assessment = orInvalid(checkAssessment(input, this.now()), 'security assessment');
      entry.detail = `${assessment.kind} assessment of ${assessment.systemId} ${assessment.systemVersion}: level ${assessment.level} on ${assessment.assessedAt.toISOString().slice(0, 10)}`;
      if ((await this.findSystem(assessment.systemId)) === null)
        throw new RegistryError('NOT_FOUND', `no system ${assessment.systemId}: submit a connection request for it first`);
      const known = await this.store.assessments.findOne({ _id: assessment.systemId });
      if (known?.assessments.some((recorded) => isDeepStrictEqual(recorded, assessment))) return { value: assessment }; // a replay
      return {
        apply: async () => {
          await upsertRetried(() =>
            this.store.assessments.updateOne({ _id: assessment.systemId }, { $push: { assessments: assessment } }, { upsert: true }),
          );
          return assessment;
        },
      };
    });
  }

  /**
   * R31: the agency confirms that a system is connected through the e-identification platform, which
   * exempts it from the security assessment. A request only states it; the exemption holds once confirmed.
   */
  async confirmEidPlatform(systemId: string, by: Actor, reference: string): Promise<EidPlatformConfirmation> {
    return this.act('confirm-eid', by, { system: systemId }, async ({ entry }) => {
      const why = reference.trim();
      if (why === '')
        throw new RegistryError(
          'REASON_REQUIRED',
          "an e-ID platform connection is confirmed with a reference to the agency's record of it (R31)",
        );
      const system = await this.findSystem(systemId);
      if (system === null) throw new RegistryError('NOT_FOUND', `no system ${systemId}: submit a connection request for it first`);
      entry.detail = `${systemId} connected through the e-identification platform: ${why}`;
      const confirmation: EidPlatformConfirmation = { by: actorName(by), at: this.now(), reference: why };
      return {
        apply: async () => {
          await this.store.systems.updateOne({ _id: systemId }, { $set: { eidPlatformConfirmation: confirmation } });
          return confirmation;
        },
      };
    });
  }

  async assessmentHistory(systemId: string): Promise<SecurityAssessment[]> {
    return (await this.store.assessments.findOne({ _id: systemId }))?.assessments ?? [];
  }

  /**
   * R29–R31 for an agreement's system (its version; the e-ID platform exemption, only once the
   * agency confirmed it: `confirmEidPlatform`) at `now`.
   */
  async assessmentStatus(agreement: Pick<Agreement, 'system'>, now = this.now()): Promise<AssessmentStatus> {
    const confirmed = (await this.findSystem(agreement.system.id))?.eidPlatformConfirmation !== undefined;
    const system = { ...agreement.system, connectedViaEidPlatform: confirmed };
    return assessmentStatus(system, confirmed ? [] : await this.assessmentHistory(agreement.system.id), now);
  }
}
