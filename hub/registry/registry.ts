// The registry's use cases: what the CLI, the gRPC layer and the enforcement pipeline call.
// Rules live in the plain modules beside this one; this class reads and writes one document at a
// time, and journals every action (act `registry`): `done`, or `refused` with the error's code.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db } from 'mongodb';
import type { JournalActor, JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { checkPersonalId } from '../../schemas/personal-id.ts';
import { checkNarrowing, isOverdue, nextStatus, reasonRequired, requestOfSandbox, sandboxAgreementId, TESTING_DAYS, toAgreement, toSandboxAgreement, type Agreement, type LifecycleAction, type RequestRecord, type RequestStatus, type StatusChange } from './agreement.ts';
import { catalogueStatus, type CatalogueReview, type CatalogueStatus } from './catalogue-review.ts';
import { channelProblems } from './channel-rules.ts';
import { checkOfficer, type Officer } from './competent-authority.ts';
import { actorName, CaKeyHolder, competenceProblem, covers, mayActAsCaKeyHolder, needsRequester, type Actor, type OfficerAct } from './officer-competence.ts';
import type { EidAssertion, EidVerifier } from '../eid/eid-assertion.ts';
import { checkConnectionRequest, type Grant, type Quota } from './connection-request.ts';
import { consentId, consentStatus, type ConsentEvidence, type ConsentRecord, type ConsentStatus } from './consent.ts';
import { insertOnce, registryCollections, upsertRetried, type RegistryCollections, type EidPlatformConfirmation, type KafkaPrincipal, type StoredOfficer, type StoredRequest, type SystemRecord } from './registry-store.ts';
import { FINGERPRINT, normaliseFingerprint, type CertificateHolder, type RevocationTarget, type RevokedCertificate } from './certificate-revocation.ts';
import { isInvalidating, type InvalidationPublisher } from './invalidation.ts';
import { orInvalid, RegistryError } from './registry-error.ts';
import { assessmentStatus, checkAssessment, type AssessmentStatus, type SecurityAssessment } from './security-assessment.ts';
import { checkSourceSystem, type SourceSystem } from './source-system.ts';
import { SERVICE_CATALOGUE, type ServiceCatalogue, type ServiceName } from './service-catalogue.ts';
import { QuotaLeases, type QuotaOutcome } from './quota-lease.ts';
import { daysBetween, MAX_REPORT_DAYS, reportUsage, type UsageReport } from './usage.ts';
import { decisionDeadline, loadCalendar, type WorkingCalendar } from './working-days.ts';

export interface RegistryOptions {
  /** Working-day calendar for R11 deadlines; default: loadCalendar() (DANCU_HOLIDAYS_FILE). */
  calendar?: WorkingCalendar;
  /** The clock; tests move it. */
  now?: () => Date;
  /** Where changes that take access away are announced to every hub instance (invalidation.ts). */
  invalidations?: InvalidationPublisher;
  /** Verifies the e-identification platform's signed assertions a consent must carry (R12). */
  eid?: EidVerifier;
}

/** A request as listed: its record plus whether it is past its R11 deadline undecided. */
export type RequestView = RequestRecord & { overdue: boolean };

export interface ReviewInput {
  officerId: string;
  decision: 'approve' | 'refuse';
  /** Required to refuse (R11, R19): the written reason sent to the requester. */
  reason?: string;
  /** Approval may narrow what was asked for. */
  narrowing?: { grants?: Grant[]; quota?: Quota; validity?: { from: Date | string; until: Date | string } };
}

type EntryParts = Pick<JournalEntryInput, 'citizens' | 'fields'> & Partial<Pick<JournalEntryInput, 'agreement' | 'detail'>>;
/** What an action tells the other hub instances beyond its journal entry: the certificates it revoked. */
type Notice = { certificates: string[] };
type Requester = { category: Agreement['organisation']['category']; locality: Agreement['organisation']['locality'] };
/** What one action's checks hand to `act`: the entry to journal, and the officer check for acts about a requester. */
interface Step {
  entry: EntryParts;
  notice: Notice;
  /** Checks the acting officer's competence for this requester (R17); acts about a requester must call it. */
  authorize(requester: Requester): void;
  /** The acting officer; null for the CA key holder. */
  officer: StoredOfficer | null;
}
/**
 * What an action will do once journaled: nothing (a replay, a read), or `apply` — the writes.
 * Checks run before, the journal entry next, the writes last: a change that could not be
 * journaled never takes effect.
 */
type Plan<T> = { value: T } | { apply: () => Promise<T> };

export class Registry {
  private readonly listeners: ((action: string) => void)[] = [];
  private readonly store: RegistryCollections;
  private readonly leases: QuotaLeases;

  private constructor(
    db: Db,
    private readonly journal: JournalWriter,
    private readonly calendar: WorkingCalendar,
    private readonly now: () => Date,
    private readonly invalidations: InvalidationPublisher | undefined,
    private readonly eid: EidVerifier | undefined,
  ) {
    this.store = registryCollections(db);
    this.leases = new QuotaLeases(this.store.quotaLeases, now);
  }

  static async open(db: Db, journal: JournalWriter, options: RegistryOptions = {}): Promise<Registry> {
    return new Registry(db, journal, options.calendar ?? loadCalendar(), options.now ?? (() => new Date()), options.invalidations, options.eid);
  }

  /** R16: the published service catalogue. */
  serviceCatalogue(): ServiceCatalogue {
    return SERVICE_CATALOGUE;
  }

  /** R24: when the catalogue was last reviewed, and whether a year has passed since. */
  async catalogueStatus(now = this.now()): Promise<CatalogueStatus> {
    return catalogueStatus(SERVICE_CATALOGUE, await this.store.catalogueReviews.find({}).toArray(), now);
  }

  /** R24: the agency head records the yearly review of the catalogue in force, with a note of what was decided. */
  async reviewCatalogue(note: string, by: Actor): Promise<CatalogueStatus> {
    return this.act<CatalogueStatus>('review-catalogue', by, {}, async ({ entry }) => {
      const why = note.trim();
      entry.detail = `catalogue ${SERVICE_CATALOGUE.version}: ${why}`;
      if (why === '') throw new RegistryError('REASON_REQUIRED', 'a catalogue review is recorded with a note of what was reviewed and decided');
      const review: CatalogueReview = { _id: randomUUID(), version: SERVICE_CATALOGUE.version, reviewedAt: this.now(), officer: actorName(by), note: why };
      return {
        apply: async () => {
          await this.store.catalogueReviews.insertOne(review);
          return this.catalogueStatus();
        },
      };
    });
  }

  // --- officers ---------------------------------------------------------------------------

  /**
   * An agency head registers an officer. Into an empty registry, the CA key holder registers the
   * first one, an agency head (the bootstrap: `dancu registry officer add` with the CA's key).
   */
  async addOfficer(input: unknown, by: Actor): Promise<Officer> {
    return this.act<Officer>('add-officer', by, {}, async ({ entry }) => {
      const officer = orInvalid(checkOfficer(input), 'officer');
      entry.detail = `${officer._id}: ${officer.level}${officer.locality ? ` ${JSON.stringify(officer.locality)}` : ''}`;
      if (by instanceof CaKeyHolder) {
        if ((await this.store.officers.countDocuments({}, { limit: 1 })) > 0) throw new RegistryError('NOT_COMPETENT', `officers are registered: only an agency head adds more (act with their certificate), not ${by.name}`);
        if (officer.level !== 'agency-head') throw new RegistryError('NOT_COMPETENT', 'the first officer of an empty registry is an agency head');
      }
      const known = await this.store.officers.findOne({ _id: officer._id });
      if (known !== null) {
        const { certificateFingerprints: _fingerprints, ...stated } = known;
        if (isDeepStrictEqual(stated, officer)) return { value: officer }; // a replay
        throw new RegistryError('CONFLICT', `officer id ${officer._id} is already someone else's`);
      }
      return {
        apply: async () => {
          if ((await insertOnce(this.store.officers, officer)) === 'taken') throw new RegistryError('CONFLICT', `officer id ${officer._id} is already someone else's`);
          return officer;
        },
      };
    });
  }

  /**
   * The registered officer an operator certificate belongs to: its fingerprint must be recorded with
   * that officer (`dancu pki issue <officer> --operator`) and not revoked. Read on every call, uncached.
   */
  async authenticateOfficer(officerId: string, fingerprint256: string): Promise<{ officer: StoredOfficer } | { refused: 'CERTIFICATE_NOT_REGISTERED' | 'CERTIFICATE_REVOKED'; message: string }> {
    const fingerprint = fingerprint256.toUpperCase();
    if (await this.isCertificateRevoked(fingerprint)) return { refused: 'CERTIFICATE_REVOKED', message: `the operator certificate ${fingerprint} of ${officerId} has been revoked` };
    const officer = await this.store.officers.findOne({ _id: officerId });
    if (officer === null) return { refused: 'CERTIFICATE_NOT_REGISTERED', message: `${officerId} is not a registered officer (\`dancu registry officer add\`)` };
    if (!(officer.certificateFingerprints ?? []).includes(fingerprint)) {
      return { refused: 'CERTIFICATE_NOT_REGISTERED', message: `the operator certificate ${fingerprint} is not recorded for officer ${officerId}: issue one with \`dancu pki issue ${officerId} --operator\`` };
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

  // --- requests and agreements ------------------------------------------------------------

  /**
   * R33, R18, R15: an officer whose area covers the requester files its request (its channel
   * allowed, the onward-sharing term accepted); `requestId` makes a retried submission a replay.
   */
  async submitRequest(input: unknown, by: Actor, options: { requestId?: string } = {}): Promise<RequestView> {
    const stated = (input ?? {}) as { organisation?: { id?: unknown }; system?: { id?: unknown } };
    const actor: JournalActor = {};
    if (typeof stated.organisation?.id === 'string') actor.organisation = stated.organisation.id;
    if (typeof stated.system?.id === 'string') actor.system = stated.system.id;
    return this.act<RequestView>('submit-request', by, actor, async ({ entry, authorize }) => {
      const request = orInvalid(checkConnectionRequest(input), 'connection request');
      authorize(request.organisation);
      const id = options.requestId ?? `cr-${randomUUID().slice(0, 8)}`;
      if (requestOfSandbox(id) !== null) throw new RegistryError('INVALID', `a request id may not end with ${sandboxAgreementId('')}: that names a sandbox agreement (R34)`);
      Object.assign(entry, { agreement: id, fields: request.grants.map((grant) => grant.field) });
      const channel = channelProblems(request.organisation.category, request.channel, request.services);
      if (channel.length > 0) throw new RegistryError('CHANNEL_NOT_ALLOWED', `connection request: ${channel.join('; ')}`);
      const system = await this.store.systems.findOne({ _id: request.system.id });
      if (system !== null && system.organisationId !== request.organisation.id) {
        throw new RegistryError('CONFLICT', `system ${request.system.id} is registered to organisation ${system.organisationId}, not ${request.organisation.id}`);
      }
      const known = await this.store.requests.findOne({ _id: id });
      if (known !== null) {
        if (isDeepStrictEqual(known.request, request)) return { value: this.view(known) }; // a replay
        throw new RegistryError('CONFLICT', `request id ${id} is taken by a different request`);
      }
      const submittedAt = this.now();
      const record: StoredRequest = {
        _id: id,
        status: 'submitted',
        submittedAt,
        deadline: decisionDeadline(submittedAt, this.calendar),
        request,
        history: [{ status: 'submitted', at: submittedAt, by: { organisation: request.organisation.id } }],
        revision: 1,
      };
      return {
        apply: async () => {
          const outcome = await insertOnce(this.store.requests, record, (doc) => doc.request);
          if (outcome === 'taken') throw new RegistryError('CONFLICT', `request id ${id} is taken by a different request`);
          // After the request, so a crash in between is mended by retrying the same submission.
          await upsertRetried(() =>
            this.store.systems.updateOne({ _id: request.system.id }, { $set: { organisationId: request.organisation.id }, $addToSet: { agreementIds: id } }, { upsert: true }),
          );
          return this.view(outcome === 'inserted' ? record : await this.requireRequest(id));
        },
      };
    });
  }

  /** R11, R17: an officer who may decide approves (possibly narrowing) or refuses with a reason. */
  async reviewRequest(id: string, review: ReviewInput): Promise<RequestView> {
    const action: LifecycleAction = review.decision === 'approve' ? 'approve' : 'refuse';
    return this.view(await this.transition('review-request', id, action, review.officerId, review.reason, review.narrowing));
  }

  async suspendAgreement(id: string, officerId: string, reason: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('suspend-agreement', id, 'suspend', officerId, reason));
  }

  async reinstateAgreement(id: string, officerId: string, reason?: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('reinstate-agreement', id, 'reinstate', officerId, reason));
  }

  async revokeAgreement(id: string, officerId: string, reason: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('revoke-agreement', id, 'revoke', officerId, reason));
  }

  /**
   * Requests newest first, each flagged when still undecided past its R11 deadline: only those of
   * requesters in the officer's area (the agency head sees all). The listing is journaled.
   */
  async listRequests(by: Actor, filter: { status?: RequestStatus } = {}): Promise<RequestView[]> {
    return this.act('list-requests', by, {}, async ({ entry, officer }) => {
      const records = await this.store.requests.find(filter.status ? { status: filter.status } : {}).toArray();
      const mine = records.filter((record) => officer !== null && covers(officer, record.request.organisation.locality));
      entry.detail = `${mine.length} request(s) listed${filter.status ? ` (${filter.status})` : ''}`;
      return { value: mine.sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime()).map((record) => this.view(record)) };
    });
  }

  async getRequest(id: string): Promise<RequestView> {
    return this.view(await this.requireRequest(id));
  }

  /**
   * The agreement a request became; NOT_FOUND while it is undecided or after it was refused. A
   * sandbox agreement id (`<request>.sandbox`) names the request's test-run agreement while it is
   * approved for testing and undecided (R34).
   */
  async getAgreement(id: string): Promise<Agreement> {
    const tested = requestOfSandbox(id);
    if (tested !== null) {
      const sandbox = toSandboxAgreement(await this.requireRequest(tested));
      if (sandbox === null) throw new RegistryError('NOT_FOUND', `${id}: request ${tested} is not approved for testing, or was decided since`);
      return sandbox;
    }
    return this.requireAgreement(await this.requireRequest(id));
  }

  /**
   * R34: the requester's competent authority (R17) lets a submitted request's system run tests
   * before the decision, under the sandbox agreement `<request>.sandbox`: synthetic citizens only,
   * for TESTING_DAYS. Approving again while it holds is a replay.
   */
  async approveForTesting(id: string, by: Actor): Promise<Agreement> {
    return this.act<Agreement>('approve-testing', by, {}, async ({ entry, authorize }) => {
      const record = await this.requireRequest(id);
      entry.fields = record.request.grants.map((grant) => grant.field);
      authorize(record.request.organisation);
      if (record.status !== 'submitted') throw new RegistryError('INVALID_TRANSITION', `${id} is ${record.status}: test runs come before the decision`);
      if (record.testing !== undefined) {
        entry.detail = `sandbox agreement ${sandboxAgreementId(id)} until ${record.testing.until.toISOString()} (already approved)`;
        return { value: toSandboxAgreement(record)! };
      }
      const approvedAt = this.now();
      const testing = { approvedAt, by: actorName(by), until: new Date(approvedAt.getTime() + TESTING_DAYS * 86_400_000) };
      entry.detail = `sandbox agreement ${sandboxAgreementId(id)} until ${testing.until.toISOString()}`;
      return {
        apply: async () => {
          await this.store.requests.updateOne({ _id: id, testing: { $exists: false } }, { $set: { testing } });
          return toSandboxAgreement(await this.requireRequest(id))!;
        },
      };
    }, { agreement: id });
  }

  /** The system's record (its organisation, agreement ids, certificate fingerprints), or null. */
  async findSystem(systemId: string): Promise<SystemRecord | null> {
    return this.store.systems.findOne({ _id: systemId });
  }

  /**
   * The agreements of an authenticated system, in force or not (check agreementInForce): one read
   * of the system by `_id`, then one per agreement. Requests never approved are left out.
   */
  async findAgreementsForSystem(systemId: string): Promise<Agreement[]> {
    const system = await this.findSystem(systemId);
    if (system === null) return [];
    const records = await Promise.all(system.agreementIds.map((id) => this.store.requests.findOne({ _id: id })));
    return records.flatMap((record) => {
      const agreement = record === null ? null : (toAgreement(record) ?? toSandboxAgreement(record));
      return agreement === null ? [] : [agreement];
    });
  }

  // --- source systems (R40, R42) ----------------------------------------------------------

  /**
   * Registers a sectoral system that produces to its source topic, by a registered officer. Its
   * version is then assessed like a consumer's (`recordAssessment`) before pki issues its certificate.
   */
  async registerSourceSystem(input: unknown, by: Actor): Promise<SourceSystem> {
    const stated = (input ?? {}) as { systemId?: unknown };
    return this.act<SourceSystem>('register-source-system', by, typeof stated.systemId === 'string' ? { system: stated.systemId } : {}, async ({ entry }) => {
      const source = orInvalid(checkSourceSystem(input), 'source system');
      entry.detail = `${source.systemId} of ${source.organisationId} feeds ${source.source}, version ${source.version}`;
      const record: SystemRecord = { _id: source.systemId, organisationId: source.organisationId, agreementIds: [], source: source.source, version: source.version };
      const existing = await this.findSystem(source.systemId);
      if (existing) {
        if (existing.organisationId === record.organisationId && existing.source === record.source && existing.version === record.version) return { value: source };
        throw new RegistryError('CONFLICT', `system id ${source.systemId} is already registered otherwise`);
      }
      return {
        apply: async () => {
          const outcome = await insertOnce(this.store.systems, record, ({ _id, organisationId, source: feeds, version }) => ({ _id, organisationId, feeds, version }));
          if (outcome === 'taken') throw new RegistryError('CONFLICT', `system id ${source.systemId} is already registered otherwise`);
          return source;
        },
      };
    });
  }

  /** A registered source system and whether its version's assessment admits it now (R29–R32). */
  async sourceSystemStatus(systemId: string, now = this.now()): Promise<{ system: SourceSystem; assessment: AssessmentStatus } | null> {
    const record = await this.findSystem(systemId);
    if (!record?.source || !record.version) return null;
    const system = { systemId, organisationId: record.organisationId, source: record.source, version: record.version };
    return { system, assessment: assessmentStatus({ version: record.version, connectedViaEidPlatform: false }, await this.assessmentHistory(systemId), now) };
  }

  /** pki records the Kafka principal of a source certificate it issued, after its fingerprint. */
  async recordKafkaPrincipal(systemId: string, fingerprint256: string, principal: string): Promise<void> {
    const entry = { fingerprint: fingerprint256.toUpperCase(), principal };
    const result = await this.store.systems.updateOne({ _id: systemId }, { $addToSet: { kafkaPrincipals: entry } });
    if (result.matchedCount === 0) throw new RegistryError('NOT_FOUND', `no system ${systemId}`);
  }

  /** The Kafka principals of a source system whose certificates are no longer recorded: their ACLs must go. */
  async withdrawnKafkaPrincipals(systemId: string): Promise<KafkaPrincipal[]> {
    const system = await this.findSystem(systemId);
    const valid = new Set(system?.certificateFingerprints ?? []);
    return (system?.kafkaPrincipals ?? []).filter((entry) => !valid.has(entry.fingerprint));
  }

  /** Once their ACLs are deleted, the principals leave the system's record (one writer: the CLI's). */
  async forgetKafkaPrincipals(systemId: string, principals: readonly string[]): Promise<void> {
    const system = await this.findSystem(systemId);
    if (!system?.kafkaPrincipals) return;
    const kept = system.kafkaPrincipals.filter((entry) => !principals.includes(entry.principal));
    await this.store.systems.updateOne({ _id: systemId }, { $set: { kafkaPrincipals: kept } });
  }

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
  async revokeCertificates(target: RevocationTarget, by: Actor, reason: string, options: { keep?: string } = {}): Promise<RevokedCertificate[]> {
    return this.act('revoke-certificate', by, {}, async ({ entry, notice }) => {
      const why = reason.trim();
      if (why === '') throw new RegistryError('REASON_REQUIRED', 'a certificate is revoked with a written reason');
      const held = await this.certificatesOf(target);
      const fingerprints = held.fingerprints.filter((fingerprint) => fingerprint !== options.keep?.toUpperCase());
      entry.detail = `${held.holder} ${held.holderId}: ${fingerprints.join(', ') || 'none besides the new one'}: ${why}`;
      if (fingerprints.length === 0 && options.keep === undefined) throw new RegistryError('NOT_FOUND', `no certificate is recorded for ${held.holder} ${held.holderId}`);
      notice.certificates = fingerprints;
      return { apply: () => this.revokeAll(held.holder, held.holderId, fingerprints, actorName(by), why) };
    });
  }

  /** Whether the certificate is on the revocation list: one read by `_id`. */
  async isCertificateRevoked(fingerprint256: string): Promise<boolean> {
    return (await this.store.revokedCertificates.findOne({ _id: fingerprint256.toUpperCase() })) !== null;
  }

  // --- security assessments (R29–R32) ----------------------------------------------------

  /** R29–R32, R34: the agency (its head) records an assessment it organised. */
  async recordAssessment(input: unknown, by: Actor): Promise<SecurityAssessment> {
    const stated = (input ?? {}) as { assessor?: unknown; systemId?: unknown };
    const actor: JournalActor = {};
    if (typeof stated.assessor === 'string') actor.organisation = stated.assessor;
    if (typeof stated.systemId === 'string') actor.system = stated.systemId;
    return this.act<SecurityAssessment>('record-assessment', by, actor, async ({ entry }) => {
      const assessment = orInvalid(checkAssessment(input, this.now()), 'security assessment');
      entry.detail = `${assessment.kind} assessment of ${assessment.systemId} ${assessment.systemVersion}: level ${assessment.level} on ${assessment.assessedAt.toISOString().slice(0, 10)}`;
      if ((await this.findSystem(assessment.systemId)) === null) throw new RegistryError('NOT_FOUND', `no system ${assessment.systemId}: submit a connection request for it first`);
      const known = await this.store.assessments.findOne({ _id: assessment.systemId });
      if (known?.assessments.some((recorded) => isDeepStrictEqual(recorded, assessment))) return { value: assessment }; // a replay
      return {
        apply: async () => {
          await upsertRetried(() => this.store.assessments.updateOne({ _id: assessment.systemId }, { $push: { assessments: assessment } }, { upsert: true }));
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
      if (why === '') throw new RegistryError('REASON_REQUIRED', 'an e-ID platform connection is confirmed with a reference to the agency\'s record of it (R31)');
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

  // --- consent (R12) ----------------------------------------------------------------------

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
    return this.act<ConsentStatus>('show-consent', by, { citizen: personalId }, async ({ authorize }) => {
      const agreement = await this.getAgreement(agreementId);
      authorize(agreement.organisation);
      return { value: await this.consentStatus(agreement, personalId) };
    }, { agreement: agreementId, citizens: [personalId] });
  }

  /** R12 on the hot path: pass the agreement already in hand to skip reading it again. */
  async consentStatus(agreement: string | Pick<Agreement, 'id' | 'consentRequired'>, personalId: string): Promise<ConsentStatus> {
    const found = typeof agreement === 'string' ? await this.getAgreement(agreement) : agreement;
    if (!found.consentRequired) return consentStatus(found, null);
    return consentStatus(found, await this.store.consents.findOne({ _id: consentId(found.id, personalId) }));
  }

  // --- usage (R23, quotas) ----------------------------------------------------------------

  /**
   * Takes `units` (one per citizen answered or change delivered) from the agreement's daily limit,
   * all or none, out of a block this instance leased (quota-lease.ts); past the limit, refuses and
   * counts them refused.
   */
  async takeDailyQuota(agreement: Pick<Agreement, 'id' | 'quota'>, service: ServiceName, at = this.now(), units = 1): Promise<QuotaOutcome> {
    return this.leases.take(agreement, service, at, units);
  }

  /** Writes what this instance's quota leases used so far (done every few seconds by itself). */
  async flushUsage(): Promise<void> {
    await this.leases.flush();
  }

  /** Releases this instance's quota leases, writing what they used; before the store closes. */
  async close(): Promise<void> {
    await this.leases.close();
  }

  /** Units per day and service from `from` to `to` (YYYY-MM-DD, Vietnam days, inclusive). */
  async usageReport(agreementId: string, from: string, to: string, by: Actor): Promise<UsageReport & { feeClass: Agreement['feeClass'] }> {
    return this.act('usage-report', by, {}, async ({ authorize }) => {
      const agreement = await this.getAgreement(agreementId);
      authorize(agreement.organisation);
      const span = daysBetween(from, to);
      if (span === null) throw new RegistryError('INVALID', `a usage report spans 1 to ${MAX_REPORT_DAYS} days, from ≤ to, written YYYY-MM-DD: not ${from} … ${to}`);
      const days = await reportUsage(this.store.quotaLeases, agreementId, span, this.now());
      const total = days.reduce((sum, day) => ({ allowed: sum.allowed + day.allowed, refused: sum.refused + day.refused }), { allowed: 0, refused: 0 });
      return { value: { agreementId, from, to, days, total, feeClass: agreement.feeClass } };
    }, { agreement: agreementId });
  }

  // --- internals ----------------------------------------------------------------------------

  /**
   * Runs one action as `by`: checks the officer's competence for it (officer-competence.ts) and the
   * action's own rules, journals it, and only then applies its writes — a change the journal
   * cannot take never happens. A refusal is journaled `refused` with the rule's code; writes that
   * fail after their entry is journaled `failed`.
   */
  private async act<T>(action: OfficerAct, by: Actor, stated: JournalActor, body: (step: Step) => Promise<Plan<T>>, start: Partial<EntryParts> = {}): Promise<T> {
    const entry: EntryParts = { citizens: [], fields: [], ...start };
    const notice: Notice = { certificates: [] };
    const actor: JournalActor = { ...stated, officer: actorName(by) };
    const journal = (decision: 'done' | 'refused' | 'failed', error?: unknown) =>
      this.journal.append({
        act: 'registry',
        action,
        actor,
        ...entry,
        decision,
        ...(error === undefined ? {} : { reason: error instanceof RegistryError ? error.code : 'STORE_FAILED', detail: (error instanceof Error ? error.message : String(error)).slice(0, 500) }),
        at: this.now(),
      });
    let authorized = false;
    let plan: Plan<T>;
    try {
      const officer = typeof by === 'string' ? await this.store.officers.findOne({ _id: by }) : null;
      const authorize = (requester?: Requester) => {
        if (by instanceof CaKeyHolder) {
          if (!mayActAsCaKeyHolder(action)) throw new RegistryError('NOT_COMPETENT', `${by.name} may not ${action}: only an officer may (act with an operator certificate)`);
        } else {
          if (officer === null) throw new RegistryError('NOT_COMPETENT', `${by} is not a registered officer: only a registered officer may ${action}`);
          const problem = competenceProblem(action, officer, requester);
          if (problem !== null) throw new RegistryError('NOT_COMPETENT', problem);
        }
        authorized = true;
      };
      if (!needsRequester(action) || by instanceof CaKeyHolder) authorize();
      else if (officer === null) authorize(); // refuses: not an officer
      plan = await body({ entry, notice, authorize, officer });
      if (!authorized) throw new Error(`registry action ${action} ran without checking the officer's competence`);
    } catch (error) {
      if (error instanceof RegistryError) await journal('refused', error);
      throw error;
    }
    await journal('done');
    let result: T;
    if ('value' in plan) result = plan.value;
    else {
      try {
        result = await plan.apply();
      } catch (error) {
        await journal('failed', error).catch(() => undefined); // the error itself is what the caller must see
        throw error;
      }
    }
    for (const listener of this.listeners) listener(action);
    if (isInvalidating(action)) {
      await this.invalidations?.publish({
        action,
        ...(entry.agreement ? { agreement: entry.agreement } : {}),
        ...(notice.certificates.length > 0 ? { certificates: notice.certificates } : {}),
        at: this.now().toISOString(),
      });
    }
    return result;
  }

  /**
   * Called after every registry action that succeeded, so readers that cache registry records in
   * this process (the enforcement pipeline) drop them at once. Other processes learn of the changes
   * that take access away from the invalidation topic (`invalidations`).
   */
  onChange(listener: (action: string) => void): void {
    this.listeners.push(listener);
  }

  /** One lifecycle step; the claim on the request's next revision decides between officers acting at once. */
  private async transition(journalAction: OfficerAct, id: string, action: LifecycleAction, officerId: string, reason?: string, narrowing?: ReviewInput['narrowing']): Promise<RequestRecord> {
    return this.act<RequestRecord>(journalAction, officerId, {}, async ({ entry, notice, authorize }) => {
      const record = await this.requireRequest(id);
      entry.fields = (record.terms ?? record.request).grants.map((grant) => grant.field);
      authorize(record.request.organisation);
      const why = reason?.trim() ?? '';
      if (reasonRequired(action) && why === '') throw new RegistryError('REASON_REQUIRED', `to ${action} ${id} the officer must give a written reason (R11)`);
      entry.detail = why === '' ? action : `${action}: ${why}`;
      const to = nextStatus(record.status, action);
      if (to === null) {
        const last = record.history.at(-1);
        if (last?.status === record.status && last.by.officer === officerId && (last.reason ?? '') === why && nextStatus(previousStatus(record), action) === record.status) {
          return { value: record }; // the same step retried
        }
        throw new RegistryError('INVALID_TRANSITION', `cannot ${action} ${id}: it is ${record.status}`);
      }
      const change: StatusChange = { status: to, at: this.now(), by: { officer: officerId }, ...(why === '' ? {} : { reason: why }) };
      const set: Partial<StoredRequest> = { status: to, revision: record.revision + 1 };
      if (action === 'approve') {
        const portalProblem = selfServiceProblem(record.request);
        if (portalProblem !== null) throw new RegistryError('INVALID', portalProblem);
        set.terms = orInvalid(checkNarrowing(record.request, narrowing), 'approval');
        entry.fields = set.terms.grants.map((grant) => grant.field);
      }
      if (action === 'revoke') {
        // The system's certificates go with the agreement: a new agreement starts with a new certificate.
        notice.certificates = (await this.findSystem(record.request.system.id))?.certificateFingerprints ?? [];
        entry.detail += `; ${notice.certificates.length} certificate(s) of ${record.request.system.id} revoked`;
      }
      const claim = { _id: `${id}#${record.revision + 1}`, status: to, officer: officerId, at: change.at };
      const history = [...record.history, change];
      return {
        apply: async () => {
          if ((await insertOnce(this.store.transitions, claim)) === 'taken') {
            throw new RegistryError('CONFLICT', `${id} changed while officer ${officerId} was deciding: read it again`);
          }
          await this.store.requests.updateOne({ _id: id }, { $set: { ...set, history } });
          if (action === 'revoke') await this.revokeAll('system', record.request.system.id, notice.certificates, officerId, `agreement ${id} revoked: ${why}`);
          if (action === 'approve') {
            // Again at approval: a concurrent submission for the same system may have lost this id (FerretDB updates are not atomic).
            await this.store.systems.updateOne({ _id: record.request.system.id }, { $addToSet: { agreementIds: id } });
          }
          return { ...record, ...set, history };
        },
      };
    }, { agreement: id });
  }

  private async recordFingerprint(holder: CertificateHolder, id: string, fingerprint256: string, by: Actor): Promise<void> {
    const fingerprint = fingerprint256.toUpperCase();
    await this.act('record-certificate', by, holder === 'system' ? { system: id } : {}, async ({ entry }) => {
      entry.detail = `${holder} ${id}: ${fingerprint}`;
      if (!FINGERPRINT.test(fingerprint)) throw new RegistryError('INVALID', `${JSON.stringify(fingerprint256)} is not a SHA-256 fingerprint written AB:CD:… (32 bytes)`);
      const known = holder === 'system' ? await this.store.systems.findOne({ _id: id }) : await this.store.officers.findOne({ _id: id });
      if (known === null) throw new RegistryError('NOT_FOUND', holder === 'system' ? `no system ${id}: submit a connection request for it first` : `no officer ${id}: add them first`);
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
    if (fingerprint === null) throw new RegistryError('INVALID', `${JSON.stringify(target.fingerprint)} is not a SHA-256 fingerprint written AB:CD:… (32 bytes)`);
    // Not by _id, so a scan: revocations are rare, and the holder is named in the list for people.
    const system = await this.store.systems.findOne({ certificateFingerprints: fingerprint });
    if (system !== null) return { holder: 'system', holderId: system._id, fingerprints: [fingerprint] };
    const officer = await this.store.officers.findOne({ certificateFingerprints: fingerprint });
    if (officer !== null) return { holder: 'operator', holderId: officer._id, fingerprints: [fingerprint] };
    // Issued but never recorded (an operator certificate from before they were): revoked all the same.
    return { holder: 'operator', holderId: '(unrecorded)', fingerprints: [fingerprint] };
  }

  /** The revocation list first (the truth), then the fingerprints leave the holder's record. */
  private async revokeAll(holder: CertificateHolder, holderId: string, fingerprints: string[], by: string, reason: string): Promise<RevokedCertificate[]> {
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

  private async requireRequest(id: string): Promise<StoredRequest> {
    const record = await this.store.requests.findOne({ _id: id });
    if (record === null) throw new RegistryError('NOT_FOUND', `no connection request ${id}`);
    return record;
  }

  private requireAgreement(record: RequestRecord): Agreement {
    const agreement = toAgreement(record);
    if (agreement === null) throw new RegistryError('NOT_FOUND', `${record._id} is a ${record.status} request, not an agreement`);
    return agreement;
  }

  private async consentAgreement(agreementId: string, personalId: string): Promise<Agreement> {
    const problems = checkPersonalId(personalId);
    if (problems.length > 0) throw new RegistryError('INVALID', `${JSON.stringify(personalId)} is not a personal id: ${problems.map((p) => p.message).join('; ')}`);
    const agreement = await this.getAgreement(agreementId);
    if (!agreement.consentRequired) throw new RegistryError('INVALID', `agreement ${agreementId} is with a state body: citizens' consent is not asked (R12)`);
    return agreement;
  }

  private async changeConsent(action: 'record-consent' | 'revoke-consent', state: ConsentRecord['state'], agreementId: string, personalId: string, by: Actor, confirmation: string): Promise<ConsentRecord> {
    return this.act<ConsentRecord>(action, by, { citizen: personalId }, async ({ entry, authorize }) => {
      const agreement = await this.consentAgreement(agreementId, personalId);
      authorize(agreement.organisation);
      if (state === 'granted' && agreement.status === 'revoked') throw new RegistryError('INVALID_TRANSITION', `agreement ${agreementId} is revoked: there is nothing to consent to`);
      const evidence = await this.citizenConfirmation(confirmation, personalId, agreementId, state);
      entry.detail = `confirmed by the citizen through ${evidence.channel} (assertion ${evidence.id} of ${evidence.issuer})`;
      const id = consentId(agreementId, personalId);
      const current = await this.store.consents.findOne({ _id: id });
      if (state === 'revoked' && current === null) throw new RegistryError('NOT_FOUND', `citizen ${personalId} never consented under agreement ${agreementId}`);
      if (current?.evidence?.id === evidence.id && current.state === state) return { value: current }; // a replay
      if (current?.evidence && evidence.issuedAt.getTime() < current.evidence.issuedAt.getTime()) {
        // A replayed older confirmation must not undo a later one (a withdrawn consent re-granted).
        throw new RegistryError('CONFLICT', `the citizen's confirmation on record (${current.evidence.issuedAt.toISOString()}) is later than this one: ask the citizen to confirm again`);
      }
      return { apply: () => this.writeConsent(id, agreementId, personalId, state, evidence) };
    }, { agreement: agreementId, citizens: [personalId] });
  }

  /** The citizen's signed confirmation of exactly this consent change, or NOT_CONFIRMED. */
  private async citizenConfirmation(token: string, personalId: string, agreementId: string, state: ConsentRecord['state']): Promise<ConsentEvidence> {
    if (this.eid === undefined) throw new RegistryError('NOT_CONFIRMED', 'no e-identification platform is configured (DANCU_EID_JWKS): a consent cannot be confirmed');
    let assertion: EidAssertion;
    try {
      assertion = await this.eid.verify(token, personalId);
    } catch (error) {
      throw new RegistryError('NOT_CONFIRMED', `the citizen's confirmation is not valid: ${error instanceof Error ? error.message : String(error)}`);
    }
    const consent = assertion.consent;
    if (consent === undefined || consent.agreement !== agreementId || consent.decision !== state) {
      throw new RegistryError('NOT_CONFIRMED', `the citizen's assertion does not confirm consent ${state} under agreement ${agreementId}${consent ? ` (it confirms ${consent.decision} under ${consent.agreement})` : ''}`);
    }
    return { issuer: assertion.issuer, id: assertion.id, issuedAt: assertion.issuedAt, channel: consent.channel, token };
  }

  private async writeConsent(id: string, agreementId: string, personalId: string, state: ConsentRecord['state'], evidence: ConsentEvidence): Promise<ConsentRecord> {
    const at = this.now();
    const { channel } = evidence;
    const after = await upsertRetried(() =>
      this.store.consents.findOneAndUpdate(
        { _id: id },
        { $set: { agreementId, personalId, state, channel, at, evidence }, $push: { history: { state, channel, at, assertion: evidence.id } } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    if (after === null) throw new Error(`consent ${id} was not written`);
    return after;
  }

  private view(record: RequestRecord): RequestView {
    const { revision: _revision, ...rest } = record as StoredRequest;
    return { ...rest, overdue: isOverdue(record, this.now()) };
  }
}

/** R10, R18: citizens read their own data through public-service portals, so only a portal may hold SelfService. */
function selfServiceProblem(request: RequestRecord['request']): string | null {
  if (!request.services.includes('SelfService') || request.organisation.category === 'PUBLIC_SERVICE_PORTAL') return null;
  return `only a PUBLIC_SERVICE_PORTAL may serve citizens their own data (SelfService, R10, R18), not a ${request.organisation.category}: approve it without SelfService by a new request`;
}

function previousStatus(record: RequestRecord): RequestStatus {
  return record.history.at(-2)?.status ?? 'submitted';
}

