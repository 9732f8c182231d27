// The WrittenRequests gRPC service (proto/dancu/registry/v1/written_requests.proto): the
// written-request use cases for officers calling with an operator certificate, whose CN is the
// officer. Each step is journaled by WrittenRequests itself; this layer journals only the callers
// turned away before reaching it (hub/registry/operator-call.ts).
import type { Tracer } from '@opentelemetry/api';
import type * as wire from '../../proto/gen/dancu/registry/v1/written_requests.ts';
import type { CallObserver, ServiceCalls } from '../exchange/journaled-call.ts';
import { refuse } from '../exchange/refusal.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import type { OfficerAct } from '../registry/officer-competence.ts';
import { operatorCall as callAsOperator } from '../registry/operator-call.ts';
import { WRITTEN_REQUEST_STATUSES, type WrittenRequestStatus } from './written-request.ts';
import type { WrittenRequests, WrittenRequestView } from './written-requests.ts';

export const WRITTEN_REQUESTS_SERVICE = 'dancu.registry.v1.WrittenRequests';

export interface WrittenRequestsServiceDependencies {
  written: WrittenRequests;
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
  /** The registered officers operator certificates are checked against on every call. */
  officers: ServiceCalls['officers'];
}

/** Each call's act in the officers' competence table (hub/registry/officer-competence.ts). */
const ACT_OF: Record<string, OfficerAct> = {
  RegisterWrittenRequest: 'register-written-request',
  ListWrittenRequests: 'list-written-requests',
};

export function writtenRequestsService(deps: WrittenRequestsServiceDependencies): wire.WrittenRequestsServer {
  const { written } = deps;
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: WRITTEN_REQUESTS_SERVICE,
    act: 'written-request',
    ...(deps.officers ? { officers: deps.officers } : {}),
  };
  const operatorCall = <Request, Response>(action: string, run: (request: Request, officerId: string) => Promise<Response>) =>
    callAsOperator<Request, Response>(calls, `WrittenRequests.${action}`, ACT_OF[action] ?? 'decide-written-request', (request, officer) =>
      run(request, officer._id),
    );

  return {
    registerWrittenRequest: operatorCall<wire.RegisterWrittenRequestRequest, wire.WrittenRequest>(
      'RegisterWrittenRequest',
      async (request, officerId) => toWire(await written.register(request.id, fromWire(request), officerId)),
    ),

    chooseWrittenRequestServices: operatorCall<wire.ChooseWrittenRequestServicesRequest, wire.WrittenRequest>(
      'ChooseWrittenRequestServices',
      async (request, officerId) => {
        if (!request.deliverBy) refuse('INVALID_REQUEST', 'deliver_by: the agreed delivery time is required');
        return toWire(await written.chooseServices(request.id, officerId, request.services, request.deliverBy));
      },
    ),

    deliverWrittenRequest: operatorCall<wire.DeliverWrittenRequestRequest, wire.WrittenAnswer>(
      'DeliverWrittenRequest',
      async (request, officerId) => {
        const answer = await written.deliver(request.id, officerId);
        return { request: toWire(answer.request), pdf: answer.pdf };
      },
    ),

    refuseWrittenRequest: operatorCall<wire.RefuseWrittenRequestRequest, wire.WrittenAnswer>(
      'RefuseWrittenRequest',
      async (request, officerId) => {
        const answer = await written.refuse(request.id, officerId, request.reason);
        return { request: toWire(answer.request), pdf: answer.pdf };
      },
    ),

    listWrittenRequests: operatorCall<wire.ListWrittenRequestsRequest, wire.ListWrittenRequestsResponse>(
      'ListWrittenRequests',
      async (request) => {
        const status = request.status;
        if (status !== '' && !(WRITTEN_REQUEST_STATUSES as readonly string[]).includes(status))
          refuse('INVALID_REQUEST', `status must be one of ${WRITTEN_REQUEST_STATUSES.join(', ')}`);
        const views = await written.list({
          ...(status !== '' ? { status: status as WrittenRequestStatus } : {}),
          ...(request.overdueOnly ? { overdue: true } : {}),
        });
        return { requests: views.map(toWire) };
      },
    ),
  };
}

/** The wire request in the template's own shape; WrittenRequests checks it and names every problem. */
function fromWire(request: wire.RegisterWrittenRequestRequest): unknown {
  const r = request.requester;
  const locality = Object.fromEntries(Object.entries({ ...r?.locality }).filter(([, value]) => value !== ''));
  return {
    requester: {
      name: r?.name,
      category: r?.category,
      locality,
      address: r?.address,
      ...(r?.contact ? { contact: r.contact } : {}),
      ...(r?.personalId ? { personalId: r.personalId } : {}),
    },
    purpose: request.purpose,
    servicesWanted: request.servicesWanted,
    citizens: request.citizens.map((c) => ({ ...c.citizen, ...(c.consentReference ? { consentReference: c.consentReference } : {}) })),
    ...(request.letterReference ? { letterReference: request.letterReference } : {}),
  };
}

function toWire(view: WrittenRequestView): wire.WrittenRequest {
  const { requester } = view.template;
  return {
    id: view._id,
    status: view.status,
    requester: {
      name: requester.name,
      category: requester.category,
      locality: { district: '', commune: '', ...requester.locality },
      address: requester.address,
      contact: requester.contact ?? '',
      personalId: requester.personalId ?? '',
    },
    purpose: view.template.purpose,
    servicesWanted: [...view.template.servicesWanted],
    citizens: view.template.citizens.map((citizen) => citizen.personalId),
    receivedAt: view.receivedAt,
    decisionDeadline: view.decisionDeadline,
    chosenServices: [...(view.chosenServices ?? [])],
    deliverBy: view.deliverBy,
    noticeSha256: view.noticeSha256 ?? '',
    overdue: view.overdue,
    history: view.history.map((step) => ({ status: step.status, at: step.at, officer: step.officer, reason: step.reason ?? '' })),
  };
}
