// The Registry gRPC service: the registry's use cases for the agency's officers, who call with an
// operator certificate (`dancu pki issue <officer> --operator`) recorded for a registered officer;
// its CN is the officer whose competence every act is checked against (R17,
// officer-competence.ts). The Registry journals every action it takes, naming the officer; this
// layer journals only the callers it turns away before reaching it.

import type { Tracer } from '@opentelemetry/api';
import type * as wire from '../../proto/gen/dancu/registry/v1/registry.ts';
import { CITIZEN_FIELDS } from '../citizen/fields.ts';
import type { CallObserver, ServiceCalls } from '../exchange/journaled-call.ts';
import { refuse } from '../exchange/refusal.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { type Agreement, isRequestStatus } from './agreement.ts';
import { competentAuthority } from './competent-authority.ts';
import type { ConsentRecord } from './consent.ts';
import type { OfficerAct } from './officer-competence.ts';
import { type AcceptedTerm, ONWARD_SHARING_TERM } from './onward-sharing.ts';
import { operatorCall as callAsOperator } from './operator-call.ts';
import { PURPOSE_CODES, PURPOSES } from './purposes.ts';
import type { Registry, RequestView } from './registry.ts';
import { consentRequired } from './requester-category.ts';
import type { SecurityAssessment } from './security-assessment.ts';
import { assessmentExpiresAt } from './security-assessment.ts';
import { localDay } from './working-days.ts';

export interface RegistryServiceDependencies {
  registry: Registry;
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
}

export const REGISTRY_SERVICE = 'dancu.registry.v1.Registry';

export function registryService(deps: RegistryServiceDependencies): wire.RegistryServer {
  const { registry } = deps;
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: REGISTRY_SERVICE,
    act: 'registry',
    officers: registry,
  };

  const operatorCall = <Request, Response>(
    action: string,
    act: OfficerAct,
    run: (request: Request, officerId: string) => Promise<Response>,
  ) => callAsOperator<Request, Response>(calls, `Registry.${action}`, act, (request, officer) => run(request, officer._id));

  return {
    submitRequest: operatorCall<wire.SubmitRequestRequest, wire.Agreement>('SubmitRequest', 'submit-request', async (request, officerId) =>
      toWireAgreement(await registry.submitRequest(fromWireRequest(request), officerId)),
    ),

    listRequests: operatorCall<wire.ListRequestsRequest, wire.ListRequestsResponse>(
      'ListRequests',
      'list-requests',
      async (request, officerId) => {
        const status = request.status;
        if (status !== '' && !isRequestStatus(status))
          refuse(
            'INVALID_REQUEST',
            `status must be submitted, approved, refused, suspended or revoked, not ${JSON.stringify(status.slice(0, 32))}`,
          );
        const views = await registry.listRequests(officerId, status !== '' && isRequestStatus(status) ? { status } : {});
        return { agreements: views.map(toWireAgreement) };
      },
    ),

    reviewRequest: operatorCall<wire.ReviewRequestRequest, wire.Agreement>(
      'ReviewRequest',
      'review-request',
      async (request, officerId) => {
        if (request.decision !== 'approve' && request.decision !== 'refuse')
          refuse('INVALID_REQUEST', 'decision must be "approve" or "refuse"');
        const view = await registry.reviewRequest(request.agreementId, {
          officerId,
          decision: request.decision,
          ...(request.reason ? { reason: request.reason } : {}),
        });
        return toWireAgreement(view);
      },
    ),

    recordAssessment: operatorCall<wire.RecordAssessmentRequest, wire.Assessment>(
      'RecordAssessment',
      'record-assessment',
      async (request, officerId) =>
        toWireAssessment(
          await registry.recordAssessment(
            {
              systemId: request.systemId,
              systemVersion: request.systemVersion,
              level: request.level,
              assessedAt: request.assessedAt?.toISOString(),
              kind: request.kind,
              findings: request.findings,
              assessor: request.assessor,
            },
            officerId,
          ),
        ),
    ),

    confirmEidPlatform: operatorCall<wire.ConfirmEidPlatformRequest, wire.EidPlatformConfirmation>(
      'ConfirmEidPlatform',
      'confirm-eid',
      async (request, officerId) => {
        const confirmation = await registry.confirmEidPlatform(request.systemId, officerId, request.reference);
        return {
          systemId: request.systemId,
          confirmedBy: confirmation.by,
          confirmedAt: confirmation.at,
          reference: confirmation.reference,
        };
      },
    ),

    // The act is the action's (suspend-agreement …): all three need the competent authority.
    changeAgreementStatus: operatorCall<wire.ChangeAgreementStatusRequest, wire.Agreement>(
      'ChangeAgreementStatus',
      'suspend-agreement',
      async (request, officerId) => {
        const id = request.agreementId;
        switch (request.action) {
          case 'suspend':
            return toWireAgreement(await registry.suspendAgreement(id, officerId, request.reason));
          case 'reinstate':
            return toWireAgreement(await registry.reinstateAgreement(id, officerId, request.reason || undefined));
          case 'revoke':
            return toWireAgreement(await registry.revokeAgreement(id, officerId, request.reason));
          default:
            return refuse('INVALID_REQUEST', 'action must be "suspend", "reinstate" or "revoke"');
        }
      },
    ),

    recordConsent: operatorCall<wire.RecordConsentRequest, wire.Consent>('RecordConsent', 'record-consent', async (request, officerId) =>
      toWireConsent(await registry.recordConsent(request.agreementId, request.personalId, officerId, request.confirmation)),
    ),

    revokeConsent: operatorCall<wire.RevokeConsentRequest, wire.Consent>('RevokeConsent', 'revoke-consent', async (request, officerId) =>
      toWireConsent(await registry.revokeConsent(request.agreementId, request.personalId, officerId, request.confirmation)),
    ),

    getServiceCatalogue: operatorCall<wire.GetServiceCatalogueRequest, wire.ServiceCatalogue>(
      'GetServiceCatalogue',
      'service-catalogue',
      async () => {
        const catalogue = registry.serviceCatalogue();
        const status = await registry.catalogueStatus();
        return {
          version: catalogue.version,
          publishedAt: status.publishedAt,
          lastReviewedAt: status.lastReviewedAt,
          reviewDueAt: status.reviewDueAt,
          reviewOverdue: status.overdue,
          onwardSharingTerm: { id: ONWARD_SHARING_TERM.id, text: ONWARD_SHARING_TERM.text, acceptedAt: undefined },
          services: catalogue.services.map((service) => ({
            name: service.name,
            description: service.description,
            fieldMode: service.mode ?? '',
          })),
          fields: [...CITIZEN_FIELDS],
          purposes: PURPOSE_CODES.map((code) => ({ code, labelVi: PURPOSES[code].vi, labelEn: PURPOSES[code].en })),
        };
      },
    ),

    reportUsage: operatorCall<wire.ReportUsageRequest, wire.UsageReport>('ReportUsage', 'usage-report', async (request, officerId) => {
      const to = request.to ?? new Date();
      const from = request.from ?? new Date(to.getTime() - 29 * 86_400_000);
      const report = await registry.usageReport(request.agreementId, localDay(from), localDay(to), officerId);
      return {
        agreementId: report.agreementId,
        feeClass: report.feeClass,
        lines: report.days.map((day) => ({ day: day.day, allowed: day.allowed, refused: day.refused })),
      };
    }),
  };
}

/** The wire request in the registry's own shape; the registry validates it and names every problem. */
function fromWireRequest(request: wire.SubmitRequestRequest): unknown {
  return {
    organisation: {
      id: request.organisation?.id,
      name: request.organisation?.name,
      category: request.organisation?.category,
      locality: withoutEmpty({ ...request.organisation?.locality }),
      functionsAndTasks: request.organisation?.functions,
    },
    system: {
      id: request.system?.id,
      name: request.system?.name,
      version: request.system?.version,
      database: request.system?.database,
      connectedViaEidPlatform: request.system?.connectedViaEidPlatform ?? false,
    },
    channel: request.channel,
    ...(request.acceptsOnwardSharingTerm === '' ? {} : { acceptsOnwardSharingTerm: request.acceptsOnwardSharingTerm }),
    officerInCharge: { ...request.officerInCharge },
    purposes: request.purposes,
    scope: request.scope,
    grants: request.grants.map((grant) => ({ field: grant.field, modes: grant.modes })),
    services: request.services,
    technicalDocuments: request.technicalDocuments.map((document) => ({ title: document.title, uri: document.uri })),
    validity: { from: request.validFrom?.toISOString(), until: request.validUntil?.toISOString() },
    quota: { ...request.quota },
  };
}

function withoutEmpty(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '' && value !== undefined));
}

function toWireAgreement(item: RequestView | Agreement): wire.Agreement {
  const view = 'request' in item ? item : null;
  const request = view ? view.request : (item as Agreement);
  const terms = view ? (view.terms ?? view.request) : (item as Agreement);
  const organisation = view ? view.request.organisation : (item as Agreement).organisation;
  return {
    id: view ? view._id : (item as Agreement).id,
    status: item.status,
    organisation: {
      id: organisation.id,
      name: organisation.name,
      category: organisation.category,
      locality: { district: '', commune: '', ...organisation.locality },
      functions: organisation.functionsAndTasks,
    },
    system: { ...request.system },
    officerInCharge: view ? { ...view.request.officerInCharge } : undefined,
    purposes: [...request.purposes],
    scope: view ? view.request.scope : '',
    grants: terms.grants.map((grant) => ({ field: grant.field, modes: [...grant.modes] })),
    services: [...request.services],
    technicalDocuments: view ? view.request.technicalDocuments.map((document) => ({ ...document })) : [],
    validFrom: terms.validity.from,
    validUntil: terms.validity.until,
    quota: { ...terms.quota },
    submittedAt: view?.submittedAt,
    deadline: view?.deadline,
    overdue: view?.overdue ?? false,
    competentAuthority: competentAuthority(organisation.category, organisation.locality).level,
    consentRequired: consentRequired(organisation.category),
    history: (view?.history ?? []).map((change) => ({
      status: change.status,
      at: change.at,
      by: change.by.officer ?? change.by.organisation ?? '',
      reason: change.reason ?? '',
    })),
    channel: request.channel ?? '',
    onwardSharing: onwardSharingOf(view ? toAgreementTerm(view) : (item as Agreement).onwardSharing),
  };
}

function toAgreementTerm(view: RequestView): AcceptedTerm | null {
  return view.request.acceptsOnwardSharingTerm ? { id: view.request.acceptsOnwardSharingTerm, acceptedAt: view.submittedAt } : null;
}

function onwardSharingOf(term: AcceptedTerm | null): wire.OnwardSharingTerm | undefined {
  if (term === null) return undefined;
  return { id: term.id, text: term.id === ONWARD_SHARING_TERM.id ? ONWARD_SHARING_TERM.text : '', acceptedAt: term.acceptedAt };
}

function toWireAssessment(assessment: SecurityAssessment): wire.Assessment {
  return { ...assessment, validUntil: assessmentExpiresAt(assessment) };
}

function toWireConsent(consent: ConsentRecord): wire.Consent {
  return {
    agreementId: consent.agreementId,
    personalId: consent.personalId,
    status: consent.state,
    channel: consent.channel,
    at: consent.at,
  };
}
