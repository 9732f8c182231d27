// The registry's use cases: what the CLI, the gRPC layer and the enforcement pipeline call.
// Rules live in the plain modules beside this one; this class reads and writes one document at a
// time, and journals every action (act `registry`): `done`, or `refused` with the error's code.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db } from 'mongodb';
import type { JournalActor, JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { checkPersonalId } from '../../schemas/personal-id.ts';
import { checkNarrowing, isOverdue, nextStatus, reasonRequired, toAgreement, type Agreement, type LifecycleAction, type RequestRecord, type RequestStatus, type StatusChange } from './agreement.ts';
import { checkOfficer, mayDecide, type Officer } from './competent-authority.ts';
import { checkConnectionRequest, type Grant, type Quota } from './connection-request.ts';
import { consentId, consentStatus, isConsentChannel, CONSENT_CHANNELS, type ConsentChannel, type ConsentRecord, type ConsentStatus } from './consent.ts';
import { insertOnce, registryCollections, upsertRetried, type RegistryCollections, type StoredOfficer, type StoredRequest, type SystemRecord, type KafkaPrincipal } from './registry-store.ts';
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
  ) {
    this.store = registryCollections(db);
    this.leases = new QuotaLeases(this.store.quotaLeases, now);
  }

  static async open(db: Db, journal: JournalWriter, options: RegistryOptions = {}): Promise<Registry> {
    return new Registry(db, journal, options.calendar ?? loadCalendar(), options.now ?? (() => new Date()), options.invalidations);
  }

  /** R16: the published service catalogue. */
  serviceCatalogue(): ServiceCatalogue {
    return SERVICE_CATALOGUE;
  }

  // --- officers ---------------------------------------------------------------------------

  async addOfficer(input: unknown, by: string): Promise<Officer> {
    return this.act('add-officer', { officer: by }, async (entry) => {
      const officer = orInvalid(checkOfficer(input), 'officer');
      entry.detail = `${officer._id}: ${officer.level}${officer.locality ? ` ${JSON.stringify(officer.locality)}` : ''}`;
      if ((await insertOnce(this.store.officers, officer)) === 'taken') throw new RegistryError('CONFLICT', `officer id ${officer._id} is already someone else's`);
      return officer;
    });
  }

  /** Every officer, with the fingerprints of their operator certificates. */
  async listOfficers(): Promise<StoredOfficer[]> {
    return (await this.store.officers.find({}).toArray()).sort((a, b) => a._id.localeCompare(b._id));
  }

  // --- requests and agreements ------------------------------------------------------------

  /** R33: validates and records a request; `requestId` makes a retried submission a replay. */
  async submitRequest(input: unknown, options: { requestId?: string } = {}): Promise<RequestView> {
    const stated = (input ?? {}) as { organisation?: { id?: unknown }; system?: { id?: unknown } };
    const actor: JournalActor = {};
    if (typeof stated.organisation?.id === 'string') actor.organisation = stated.organisation.id;
    if (typeof stated.system?.id === 'string') actor.system = stated.system.id;
    return this.act('submit-request', actor, async (entry) => {
      const request = orInvalid(checkConnectionRequest(input), 'connection request');
      const id = options.requestId ?? `cr-${randomUUID().slice(0, 8)}`;
      Object.assign(entry, { agreement: id, fields: request.grants.map((grant) => grant.field) });
      const system = await this.store.systems.findOne({ _id: request.system.id });
      if (system !== null && system.organisationId !== request.organisation.id) {
        throw new RegistryError('CONFLICT', `system ${request.system.id} is registered to organisation ${system.organisationId}, not ${request.organisation.id}`);
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
      const outcome = await insertOnce(this.store.requests, record, (doc) => doc.request);
      if (outcome === 'taken') throw new RegistryError('CONFLICT', `request id ${id} is taken by a different request`);
      // After the request, so a crash in between is mended by retrying the same submission.
      await upsertRetried(() =>
        this.store.systems.updateOne({ _id: request.system.id }, { $set: { organisationId: request.organisation.id }, $addToSet: { agreementIds: id } }, { upsert: true }),
      );
      return this.view(outcome === 'inserted' ? record : await this.requireRequest(id));
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

  /** Requests newest first, each flagged when still undecided past its R11 deadline. */
  async listRequests(filter: { status?: RequestStatus } = {}): Promise<RequestView[]> {
    const records = await this.store.requests.find(filter.status ? { status: filter.status } : {}).toArray();
    return records.sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime()).map((record) => this.view(record));
  }

  async getRequest(id: string): Promise<RequestView> {
    return this.view(await this.requireRequest(id));
  }

  /** The agreement a request became; NOT_FOUND while it is undecided or after it was refused. */
  async getAgreement(id: string): Promise<Agreement> {
    return this.requireAgreement(await this.requireRequest(id));
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
      const agreement = record === null ? null : toAgreement(record);
      return agreement === null ? [] : [agreement];
    });
  }

  // --- source systems (R40, R42) ----------------------------------------------------------

  /**
   * Registers a sectoral system that produces to its source topic, by a registered officer. Its
   * version is then assessed like a consumer's (`recordAssessment`) before pki issues its certificate.
   */
  async registerSourceSystem(input: unknown, officerId: string): Promise<SourceSystem> {
    const stated = (input ?? {}) as { systemId?: unknown };
    return this.act('register-source-system', { officer: officerId, ...(typeof stated.systemId === 'string' ? { system: stated.systemId } : {}) }, async (entry) => {
      const source = orInvalid(checkSourceSystem(input), 'source system');
      entry.detail = `${source.systemId} of ${source.organisationId} feeds ${source.source}, version ${source.version}`;
      if (!(await this.store.officers.findOne({ _id: officerId }))) throw new RegistryError('NOT_FOUND', `officer ${officerId} is not registered`);
      const record: SystemRecord = { _id: source.systemId, organisationId: source.organisationId, agreementIds: [], source: source.source, version: source.version };
      const outcome = await insertOnce(this.store.systems, record, ({ _id, organisationId, source: feeds, version }) => ({ _id, organisationId, feeds, version }));
      if (outcome === 'taken') throw new RegistryError('CONFLICT', `system id ${source.systemId} is already registered otherwise`);
      return source;
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
  async recordCertificate(systemId: string, fingerprint256: string): Promise<void> {
    await this.recordFingerprint('system', systemId, fingerprint256);
  }

  /** pki calls this when it issues an operator certificate, so the officer's certificates can be revoked by officer id. */
  async recordOperatorCertificate(officerId: string, fingerprint256: string): Promise<void> {
    await this.recordFingerprint('operator', officerId, fingerprint256);
  }

  /**
   * Revokes one certificate, or every certificate recorded for a system or an officer but `keep`
   * (the one a re-issue just recorded). The revocation list is written before the fingerprints
   * leave their holder's record, and every hub instance is told at once.
   */
  async revokeCertificates(target: RevocationTarget, by: string, reason: string, options: { keep?: string } = {}): Promise<RevokedCertificate[]> {
    return this.act('revoke-certificate', { officer: by }, async (entry, notice) => {
      const why = reason.trim();
      if (why === '') throw new RegistryError('REASON_REQUIRED', 'a certificate is revoked with a written reason');
      const held = await this.certificatesOf(target);
      const fingerprints = held.fingerprints.filter((fingerprint) => fingerprint !== options.keep?.toUpperCase());
      entry.detail = `${held.holder} ${held.holderId}: ${fingerprints.join(', ') || 'none besides the new one'}: ${why}`;
      if (fingerprints.length === 0 && options.keep === undefined) throw new RegistryError('NOT_FOUND', `no certificate is recorded for ${held.holder} ${held.holderId}`);
      notice.certificates = fingerprints;
      return this.revokeAll(held.holder, held.holderId, fingerprints, by, why);
    });
  }

  /** Whether the certificate is on the revocation list: one read by `_id`. */
  async isCertificateRevoked(fingerprint256: string): Promise<boolean> {
    return (await this.store.revokedCertificates.findOne({ _id: fingerprint256.toUpperCase() })) !== null;
  }

  // --- security assessments (R29–R32) ----------------------------------------------------

  async recordAssessment(input: unknown): Promise<SecurityAssessment> {
    const stated = (input ?? {}) as { assessor?: unknown; systemId?: unknown };
    const actor: JournalActor = {};
    if (typeof stated.assessor === 'string') actor.organisation = stated.assessor;
    if (typeof stated.systemId === 'string') actor.system = stated.systemId;
    return this.act('record-assessment', actor, async (entry) => {
      const assessment = orInvalid(checkAssessment(input, this.now()), 'security assessment');
      entry.detail = `${assessment.kind} assessment of ${assessment.systemId} ${assessment.systemVersion}: level ${assessment.level} on ${assessment.assessedAt.toISOString().slice(0, 10)}`;
      if ((await this.findSystem(assessment.systemId)) === null) throw new RegistryError('NOT_FOUND', `no system ${assessment.systemId}: submit a connection request for it first`);
      const known = await this.store.assessments.findOne({ _id: assessment.systemId });
      if (known?.assessments.some((recorded) => isDeepStrictEqual(recorded, assessment))) return assessment; // a replay
      await upsertRetried(() => this.store.assessments.updateOne({ _id: assessment.systemId }, { $push: { assessments: assessment } }, { upsert: true }));
      return assessment;
    });
  }

  async assessmentHistory(systemId: string): Promise<SecurityAssessment[]> {
    return (await this.store.assessments.findOne({ _id: systemId }))?.assessments ?? [];
  }

  /** R29–R31 for an agreement's system (its version, its e-ID platform exemption) at `now`. */
  async assessmentStatus(agreement: Pick<Agreement, 'system'>, now = this.now()): Promise<AssessmentStatus> {
    if (agreement.system.connectedViaEidPlatform) return assessmentStatus(agreement.system, [], now);
    return assessmentStatus(agreement.system, await this.assessmentHistory(agreement.system.id), now);
  }

  // --- consent (R12) ----------------------------------------------------------------------

  async recordConsent(agreementId: string, personalId: string, channel: ConsentChannel = 'VNeID'): Promise<ConsentRecord> {
    return this.act('record-consent', { citizen: personalId }, async () => {
      const agreement = await this.consentAgreement(agreementId, personalId, channel);
      if (agreement.status === 'revoked') throw new RegistryError('INVALID_TRANSITION', `agreement ${agreementId} is revoked: there is nothing to consent to`);
      const id = consentId(agreementId, personalId);
      const current = await this.store.consents.findOne({ _id: id });
      if (current?.state === 'granted' && current.channel === channel) return current; // a replay
      return this.writeConsent(id, agreementId, personalId, 'granted', channel);
    }, { agreement: agreementId, citizens: [personalId] });
  }

  async revokeConsent(agreementId: string, personalId: string, channel: ConsentChannel = 'VNeID'): Promise<ConsentRecord> {
    return this.act('revoke-consent', { citizen: personalId }, async () => {
      await this.consentAgreement(agreementId, personalId, channel);
      const id = consentId(agreementId, personalId);
      const current = await this.store.consents.findOne({ _id: id });
      if (current === null) throw new RegistryError('NOT_FOUND', `citizen ${personalId} never consented under agreement ${agreementId}`);
      if (current.state === 'revoked') return current; // a replay
      return this.writeConsent(id, agreementId, personalId, 'revoked', channel);
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
  async usageReport(agreementId: string, from: string, to: string): Promise<UsageReport & { feeClass: Agreement['feeClass'] }> {
    const agreement = await this.getAgreement(agreementId);
    const span = daysBetween(from, to);
    if (span === null) throw new RegistryError('INVALID', `a usage report spans 1 to ${MAX_REPORT_DAYS} days, from ≤ to, written YYYY-MM-DD: not ${from} … ${to}`);
    const days = await reportUsage(this.store.quotaLeases, agreementId, span, this.now());
    const total = days.reduce((sum, day) => ({ allowed: sum.allowed + day.allowed, refused: sum.refused + day.refused }), { allowed: 0, refused: 0 });
    return { agreementId, from, to, days, total, feeClass: agreement.feeClass };
  }

  // --- internals ----------------------------------------------------------------------------

  /** Runs one action and journals it: `done`, or `refused` with the rule's code and sentence. */
  private async act<T>(action: string, actor: JournalActor, body: (entry: EntryParts, notice: Notice) => Promise<T>, start: Partial<EntryParts> = {}): Promise<T> {
    const entry: EntryParts = { citizens: [], fields: [], ...start };
    const notice: Notice = { certificates: [] };
    let result: T;
    try {
      result = await body(entry, notice);
    } catch (error) {
      if (error instanceof RegistryError) {
        await this.journal.append({ act: 'registry', action, actor, ...entry, decision: 'refused', reason: error.code, detail: error.message, at: this.now() });
      }
      throw error;
    }
    await this.journal.append({ act: 'registry', action, actor, ...entry, decision: 'done', at: this.now() });
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
  private async transition(journalAction: string, id: string, action: LifecycleAction, officerId: string, reason?: string, narrowing?: ReviewInput['narrowing']): Promise<RequestRecord> {
    return this.act(journalAction, { officer: officerId }, async (entry, notice) => {
      const record = await this.requireRequest(id);
      entry.fields = (record.terms ?? record.request).grants.map((grant) => grant.field);
      const officer = await this.store.officers.findOne({ _id: officerId });
      if (officer === null) throw new RegistryError('NOT_FOUND', `no officer ${officerId}`);
      const { category, locality } = record.request.organisation;
      if (!mayDecide(officer, record.request.organisation)) {
        throw new RegistryError('NOT_COMPETENT', `officer ${officerId} (${officer.level}) may not decide for a ${category} in ${JSON.stringify(locality)} (R17)`);
      }
      const why = reason?.trim() ?? '';
      if (reasonRequired(action) && why === '') throw new RegistryError('REASON_REQUIRED', `to ${action} ${id} the officer must give a written reason (R11)`);
      entry.detail = why === '' ? action : `${action}: ${why}`;
      const to = nextStatus(record.status, action);
      if (to === null) {
        const last = record.history.at(-1);
        if (last?.status === record.status && last.by.officer === officerId && (last.reason ?? '') === why && nextStatus(previousStatus(record), action) === record.status) {
          return record; // the same step retried
        }
        throw new RegistryError('INVALID_TRANSITION', `cannot ${action} ${id}: it is ${record.status}`);
      }
      const change: StatusChange = { status: to, at: this.now(), by: { officer: officerId }, ...(why === '' ? {} : { reason: why }) };
      const set: Partial<StoredRequest> = { status: to, revision: record.revision + 1 };
      if (action === 'approve') {
        set.terms = orInvalid(checkNarrowing(record.request, narrowing), 'approval');
        entry.fields = set.terms.grants.map((grant) => grant.field);
      }
      const claim = { _id: `${id}#${record.revision + 1}`, status: to, officer: officerId, at: change.at };
      if ((await insertOnce(this.store.transitions, claim)) === 'taken') {
        throw new RegistryError('CONFLICT', `${id} changed while officer ${officerId} was deciding: read it again`);
      }
      const history = [...record.history, change];
      await this.store.requests.updateOne({ _id: id }, { $set: { ...set, history } });
      if (action === 'revoke') {
        // The system's certificates go with the agreement: a new agreement starts with a new certificate.
        const system = await this.findSystem(record.request.system.id);
        notice.certificates = system?.certificateFingerprints ?? [];
        await this.revokeAll('system', record.request.system.id, notice.certificates, officerId, `agreement ${id} revoked: ${why}`);
        entry.detail += `; ${notice.certificates.length} certificate(s) of ${record.request.system.id} revoked`;
      }
      if (action === 'approve') {
        // Again at approval: a concurrent submission for the same system may have lost this id (FerretDB updates are not atomic).
        await this.store.systems.updateOne({ _id: record.request.system.id }, { $addToSet: { agreementIds: id } });
      }
      return { ...record, ...set, history };
    }, { agreement: id });
  }

  private async recordFingerprint(holder: CertificateHolder, id: string, fingerprint256: string): Promise<void> {
    const fingerprint = fingerprint256.toUpperCase();
    await this.act('record-certificate', holder === 'system' ? { system: id } : { officer: id }, async (entry) => {
      entry.detail = fingerprint;
      if (!FINGERPRINT.test(fingerprint)) throw new RegistryError('INVALID', `${JSON.stringify(fingerprint256)} is not a SHA-256 fingerprint written AB:CD:… (32 bytes)`);
      const update = { $addToSet: { certificateFingerprints: fingerprint } };
      const result = holder === 'system' ? await this.store.systems.updateOne({ _id: id }, update) : await this.store.officers.updateOne({ _id: id }, update);
      if (result.matchedCount === 0) {
        throw new RegistryError('NOT_FOUND', holder === 'system' ? `no system ${id}: submit a connection request for it first` : `no officer ${id}: add them first`);
      }
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

  private async consentAgreement(agreementId: string, personalId: string, channel: string): Promise<Agreement> {
    const problems = checkPersonalId(personalId);
    if (problems.length > 0) throw new RegistryError('INVALID', `${JSON.stringify(personalId)} is not a personal id: ${problems.map((p) => p.message).join('; ')}`);
    if (!isConsentChannel(channel)) throw new RegistryError('INVALID', `consent is confirmed through ${CONSENT_CHANNELS.join(', ')}, not ${JSON.stringify(channel)}`);
    const agreement = await this.getAgreement(agreementId);
    if (!agreement.consentRequired) throw new RegistryError('INVALID', `agreement ${agreementId} is with a state body: citizens' consent is not asked (R12)`);
    return agreement;
  }

  private async writeConsent(id: string, agreementId: string, personalId: string, state: ConsentRecord['state'], channel: ConsentChannel): Promise<ConsentRecord> {
    const at = this.now();
    const after = await upsertRetried(() =>
      this.store.consents.findOneAndUpdate(
        { _id: id },
        { $set: { agreementId, personalId, state, channel, at }, $push: { history: { state, channel, at } } },
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

function previousStatus(record: RequestRecord): RequestStatus {
  return record.history.at(-2)?.status ?? 'submitted';
}

