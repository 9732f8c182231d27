// The registry's use cases: what the CLI, the gRPC layer and the enforcement pipeline call. Each
// concept's actions live in their own module (officer-actions.ts, request-actions.ts, …), run by
// the one action runner (registry-action.ts): it reads and writes one document at a time, and
// journals every action (act `registry`): `done`, or `refused` with the error's code. Rules live in
// the plain modules beside them; this class composes them behind one API.
import type { Db } from 'mongodb';
import type { EidVerifier } from '../eid/eid-assertion.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { AssessmentActions } from './assessment-actions.ts';
import { CatalogueActions } from './catalogue-actions.ts';
import { CertificateActions } from './certificate-actions.ts';
import { ConsentActions } from './consent-actions.ts';
import type { InvalidationPublisher } from './invalidation.ts';
import { OfficerActions } from './officer-actions.ts';
import { type Act, RegistryActions } from './registry-action.ts';
import { registryCollections } from './registry-store.ts';
import { RequestActions } from './request-actions.ts';
import { SystemActions } from './system-actions.ts';
import { UsageActions } from './usage-actions.ts';
import { loadCalendar, type WorkingCalendar } from './working-days.ts';

export type { RequestView, ReviewInput } from './request-actions.ts';

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

export class Registry {
  private readonly actions: RegistryActions;
  private readonly catalogue: CatalogueActions;
  private readonly officers: OfficerActions;
  private readonly requests: RequestActions;
  private readonly systems: SystemActions;
  private readonly certificates: CertificateActions;
  private readonly assessments: AssessmentActions;
  private readonly consents: ConsentActions;
  private readonly usage: UsageActions;

  private constructor(
    db: Db,
    journal: JournalWriter,
    calendar: WorkingCalendar,
    now: () => Date,
    invalidations: InvalidationPublisher | undefined,
    eid: EidVerifier | undefined,
  ) {
    const store = registryCollections(db);
    this.actions = new RegistryActions(store, journal, now, invalidations);
    const act: Act = this.actions.act.bind(this.actions);
    this.catalogue = new CatalogueActions(store, now, act);
    this.systems = new SystemActions(store, act);
    const findSystem = this.systems.findSystem.bind(this.systems);
    this.assessments = new AssessmentActions(store, now, act, findSystem);
    this.certificates = new CertificateActions(store, now, act, findSystem);
    this.officers = new OfficerActions(store, act, this.certificates.isCertificateRevoked.bind(this.certificates));
    this.requests = new RequestActions(store, now, act, calendar, findSystem, this.certificates.revokeAll.bind(this.certificates));
    const getAgreement = this.requests.getAgreement.bind(this.requests);
    this.consents = new ConsentActions(store, now, act, eid, getAgreement);
    this.usage = new UsageActions(store, now, act, getAgreement);
  }

  static async open(db: Db, journal: JournalWriter, options: RegistryOptions = {}): Promise<Registry> {
    return new Registry(
      db,
      journal,
      options.calendar ?? loadCalendar(),
      options.now ?? (() => new Date()),
      options.invalidations,
      options.eid,
    );
  }

  // --- the service catalogue (R16, R24): catalogue-actions.ts ----------------------------

  serviceCatalogue(...args: Parameters<CatalogueActions['serviceCatalogue']>) {
    return this.catalogue.serviceCatalogue(...args);
  }

  catalogueStatus(...args: Parameters<CatalogueActions['catalogueStatus']>) {
    return this.catalogue.catalogueStatus(...args);
  }

  reviewCatalogue(...args: Parameters<CatalogueActions['reviewCatalogue']>) {
    return this.catalogue.reviewCatalogue(...args);
  }

  // --- officers (R17): officer-actions.ts ------------------------------------------------

  addOfficer(...args: Parameters<OfficerActions['addOfficer']>) {
    return this.officers.addOfficer(...args);
  }

  authenticateOfficer(...args: Parameters<OfficerActions['authenticateOfficer']>) {
    return this.officers.authenticateOfficer(...args);
  }

  checkCompetence(...args: Parameters<OfficerActions['checkCompetence']>) {
    return this.officers.checkCompetence(...args);
  }

  listOfficers(...args: Parameters<OfficerActions['listOfficers']>) {
    return this.officers.listOfficers(...args);
  }

  // --- requests and agreements (R11, R15, R18, R33, R34): request-actions.ts -------------

  submitRequest(...args: Parameters<RequestActions['submitRequest']>) {
    return this.requests.submitRequest(...args);
  }

  reviewRequest(...args: Parameters<RequestActions['reviewRequest']>) {
    return this.requests.reviewRequest(...args);
  }

  suspendAgreement(...args: Parameters<RequestActions['suspendAgreement']>) {
    return this.requests.suspendAgreement(...args);
  }

  reinstateAgreement(...args: Parameters<RequestActions['reinstateAgreement']>) {
    return this.requests.reinstateAgreement(...args);
  }

  revokeAgreement(...args: Parameters<RequestActions['revokeAgreement']>) {
    return this.requests.revokeAgreement(...args);
  }

  listRequests(...args: Parameters<RequestActions['listRequests']>) {
    return this.requests.listRequests(...args);
  }

  getRequest(...args: Parameters<RequestActions['getRequest']>) {
    return this.requests.getRequest(...args);
  }

  getAgreement(...args: Parameters<RequestActions['getAgreement']>) {
    return this.requests.getAgreement(...args);
  }

  approveForTesting(...args: Parameters<RequestActions['approveForTesting']>) {
    return this.requests.approveForTesting(...args);
  }

  findAgreementsForSystem(...args: Parameters<RequestActions['findAgreementsForSystem']>) {
    return this.requests.findAgreementsForSystem(...args);
  }

  // --- source systems (R40, R42): system-actions.ts --------------------------------------

  findSystem(...args: Parameters<SystemActions['findSystem']>) {
    return this.systems.findSystem(...args);
  }

  registerSourceSystem(...args: Parameters<SystemActions['registerSourceSystem']>) {
    return this.systems.registerSourceSystem(...args);
  }

  recordKafkaPrincipal(...args: Parameters<SystemActions['recordKafkaPrincipal']>) {
    return this.systems.recordKafkaPrincipal(...args);
  }

  withdrawnKafkaPrincipals(...args: Parameters<SystemActions['withdrawnKafkaPrincipals']>) {
    return this.systems.withdrawnKafkaPrincipals(...args);
  }

  forgetKafkaPrincipals(...args: Parameters<SystemActions['forgetKafkaPrincipals']>) {
    return this.systems.forgetKafkaPrincipals(...args);
  }

  // --- certificates: certificate-actions.ts ----------------------------------------------

  recordCertificate(...args: Parameters<CertificateActions['recordCertificate']>) {
    return this.certificates.recordCertificate(...args);
  }

  recordOperatorCertificate(...args: Parameters<CertificateActions['recordOperatorCertificate']>) {
    return this.certificates.recordOperatorCertificate(...args);
  }

  revokeCertificates(...args: Parameters<CertificateActions['revokeCertificates']>) {
    return this.certificates.revokeCertificates(...args);
  }

  isCertificateRevoked(...args: Parameters<CertificateActions['isCertificateRevoked']>) {
    return this.certificates.isCertificateRevoked(...args);
  }

  // --- security assessments (R29–R32): assessment-actions.ts -----------------------------

  sourceSystemStatus(...args: Parameters<AssessmentActions['sourceSystemStatus']>) {
    return this.assessments.sourceSystemStatus(...args);
  }

  recordAssessment(...args: Parameters<AssessmentActions['recordAssessment']>) {
    return this.assessments.recordAssessment(...args);
  }

  confirmEidPlatform(...args: Parameters<AssessmentActions['confirmEidPlatform']>) {
    return this.assessments.confirmEidPlatform(...args);
  }

  assessmentHistory(...args: Parameters<AssessmentActions['assessmentHistory']>) {
    return this.assessments.assessmentHistory(...args);
  }

  assessmentStatus(...args: Parameters<AssessmentActions['assessmentStatus']>) {
    return this.assessments.assessmentStatus(...args);
  }

  // --- consent (R12): consent-actions.ts -------------------------------------------------

  recordConsent(...args: Parameters<ConsentActions['recordConsent']>) {
    return this.consents.recordConsent(...args);
  }

  revokeConsent(...args: Parameters<ConsentActions['revokeConsent']>) {
    return this.consents.revokeConsent(...args);
  }

  showConsent(...args: Parameters<ConsentActions['showConsent']>) {
    return this.consents.showConsent(...args);
  }

  consentStatus(...args: Parameters<ConsentActions['consentStatus']>) {
    return this.consents.consentStatus(...args);
  }

  // --- usage (R23, quotas): usage-actions.ts ---------------------------------------------

  takeDailyQuota(...args: Parameters<UsageActions['takeDailyQuota']>) {
    return this.usage.takeDailyQuota(...args);
  }

  flushUsage(...args: Parameters<UsageActions['flushUsage']>) {
    return this.usage.flushUsage(...args);
  }

  close(...args: Parameters<UsageActions['close']>) {
    return this.usage.close(...args);
  }

  usageReport(...args: Parameters<UsageActions['usageReport']>) {
    return this.usage.usageReport(...args);
  }

  /**
   * Called after every registry action that succeeded, so readers that cache registry records in
   * this process (the enforcement pipeline) drop them at once. Other processes learn of the changes
   * that take access away from the invalidation topic (`invalidations`).
   */
  onChange(listener: (action: string) => void): void {
    this.actions.onChange(listener);
  }
}
