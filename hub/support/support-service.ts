// The Support gRPC service (R36): connected organisations open incidents and support requests
// with their system's certificate; the agency's officers answer and close them with an operator
// certificate. Callers turned away are journaled here; the desk journals every change it makes.
import type { Tracer } from '@opentelemetry/api';
import type * as wire from '../../proto/gen/dancu/support/v1/support.ts';
import type { Enforcement } from '../exchange/enforcement.ts';
import type { CallObserver, CallRecord, ServiceCalls } from '../exchange/journaled-call.ts';
import { refuse } from '../exchange/refusal.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import type { OfficerDirectory } from '../registry/officer-actions.ts';
import type { OfficerAct } from '../registry/officer-competence.ts';
import { admitOperator, authenticatedCall } from '../registry/operator-call.ts';
import type { SupportDesk } from './support-desk.ts';
import { isTicketStatus, type SupportCaller, type Ticket } from './ticket.ts';

export const SUPPORT_SERVICE = 'dancu.support.v1.Support';

export interface SupportServiceDependencies {
  desk: SupportDesk;
  enforcement: Pick<Enforcement, 'registeredSystem'>;
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
  officers: OfficerDirectory;
}

export function supportService(deps: SupportServiceDependencies): wire.SupportServer {
  const { desk } = deps;
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: SUPPORT_SERVICE,
    act: 'support',
    officers: deps.officers,
  };

  /** An operator certificate is an officer competent for `act`; a system certificate, its organisation. */
  const admitAnyone =
    (act: OfficerAct) =>
    async (record: CallRecord): Promise<SupportCaller> => {
      if (record.identity?.kind === 'operator') return { kind: 'operator', officer: (await admitOperator(calls, record, act))._id };
      const system = await deps.enforcement.registeredSystem(record.identity);
      return { kind: 'organisation', organisation: system.organisationId, system: system._id };
    };

  async function admitOrganisation(record: CallRecord): Promise<SupportCaller & { kind: 'organisation' }> {
    if (record.identity?.kind === 'operator')
      refuse('INVALID_REQUEST', 'tickets are opened by connected organisations, with their system certificate; operators answer them');
    const system = await deps.enforcement.registeredSystem(record.identity);
    return { kind: 'organisation', organisation: system.organisationId, system: system._id };
  }

  return {
    openTicket: authenticatedCall<wire.OpenTicketRequest, wire.Ticket, SupportCaller & { kind: 'organisation' }>(
      calls,
      'Support.OpenTicket',
      admitOrganisation,
      async (request, caller) => toWire(await desk.open(caller, request)),
    ),

    listTickets: authenticatedCall<wire.ListTicketsRequest, wire.ListTicketsResponse, SupportCaller>(
      calls,
      'Support.ListTickets',
      admitAnyone('read-tickets'),
      async (request, caller) => {
        if (request.status !== '' && !isTicketStatus(request.status)) refuse('INVALID_REQUEST', 'status must be open, answered or closed');
        const tickets = await desk.list(caller, isTicketStatus(request.status) ? { status: request.status } : {});
        return { tickets: tickets.map(toWire) };
      },
    ),

    getTicket: authenticatedCall<wire.GetTicketRequest, wire.Ticket, SupportCaller>(
      calls,
      'Support.GetTicket',
      admitAnyone('read-tickets'),
      async (request, caller) => toWire(await desk.get(caller, request.ticketId)),
    ),

    replyToTicket: authenticatedCall<wire.ReplyToTicketRequest, wire.Ticket, SupportCaller>(
      calls,
      'Support.ReplyToTicket',
      admitAnyone('answer-ticket'),
      async (request, caller) => toWire(await desk.reply(caller, request.ticketId, request.message)),
    ),

    closeTicket: authenticatedCall<wire.CloseTicketRequest, wire.Ticket, string>(
      calls,
      'Support.CloseTicket',
      async (record) => (await admitOperator(calls, record, 'close-ticket'))._id,
      async (request, officer) => toWire(await desk.close(officer, request.ticketId, request.resolution)),
    ),
  };
}

function toWire(ticket: Ticket): wire.Ticket {
  return {
    id: ticket._id,
    kind: ticket.kind,
    severity: ticket.severity,
    status: ticket.status,
    subject: ticket.subject,
    organisation: ticket.organisation,
    system: ticket.system,
    agreementId: ticket.agreementId ?? '',
    openedAt: ticket.openedAt,
    updatedAt: ticket.updatedAt,
    messages: ticket.messages.map((message) => ({ at: message.at, from: message.from, author: message.author, text: message.text })),
    resolution: ticket.resolution ?? '',
    closedAt: ticket.closedAt,
  };
}
