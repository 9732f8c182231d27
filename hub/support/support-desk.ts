// R36: the support desk's use cases, for the gRPC Support service and the `dancu support` CLI.
// Rules are in ticket.ts; this class reads and writes one ticket document at a time and journals
// every change (act `support`: the ticket id, kind and severity, never its text) before it answers.
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { JournalActor, JournalWriter } from '../journal/journal-entry.ts';
import { competenceProblem, type OfficerAct } from '../registry/officer-competence.ts';
import type { Registry } from '../registry/registry.ts';
import { SupportError } from './support-error.ts';
import {
  checkNewTicket,
  checkText,
  LIMITS,
  mayRead,
  type SupportCaller,
  statusAfterReply,
  type Ticket,
  type TicketStatus,
} from './ticket.ts';

export const TICKETS_COLLECTION = 'support_tickets';
const LIST_LIMIT = 200;

/** Tickets newest first, at most 200 (for the desk, and the dashboard's list). */
export async function listTickets(db: Db, filter: { status?: TicketStatus; organisation?: string } = {}): Promise<Ticket[]> {
  const query = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.organisation ? { organisation: filter.organisation } : {}),
  };
  const tickets = await db.collection<Ticket>(TICKETS_COLLECTION).find(query).toArray();
  return tickets.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime()).slice(0, LIST_LIMIT);
}

export class SupportDesk {
  private readonly tickets: Collection<Ticket>;

  constructor(
    private readonly db: Db,
    private readonly journal: JournalWriter,
    private readonly registry: Pick<Registry, 'findSystem' | 'listOfficers'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tickets = db.collection<Ticket>(TICKETS_COLLECTION);
  }

  /** A connected organisation opens an incident or support request. */
  async open(caller: SupportCaller & { kind: 'organisation' }, input: Parameters<typeof checkNewTicket>[0]): Promise<Ticket> {
    return this.act('open-ticket', caller, undefined, async (entry) => {
      const checked = checkNewTicket(input);
      if (!checked.ok) throw new SupportError('INVALID', `ticket: ${checked.problems.join('; ')}`);
      const request = checked.value;
      if (request.agreementId !== undefined) {
        const system = await this.registry.findSystem(caller.system);
        if (!system?.agreementIds.includes(request.agreementId))
          throw new SupportError('INVALID', `agreement ${request.agreementId} is not one of system ${caller.system}'s`);
        entry.agreement = request.agreementId;
      }
      const at = this.now();
      const ticket: Ticket = {
        _id: `${request.kind === 'incident' ? 'inc' : 'sup'}-${randomUUID().slice(0, 8)}`,
        kind: request.kind,
        severity: request.severity,
        status: 'open',
        subject: request.subject,
        organisation: caller.organisation,
        system: caller.system,
        ...(request.agreementId ? { agreementId: request.agreementId } : {}),
        openedAt: at,
        updatedAt: at,
        messages: [{ at, from: 'organisation', author: caller.system, text: request.description }],
      };
      entry.detail = `${ticket._id}: ${ticket.kind}, ${ticket.severity}`;
      await this.tickets.insertOne(ticket);
      return ticket;
    });
  }

  /** Every ticket for an officer, the organisation's own for a system; newest first. */
  async list(caller: SupportCaller, filter: { status?: TicketStatus } = {}): Promise<Ticket[]> {
    await this.requireOfficer(caller, 'read-tickets');
    return listTickets(this.db, { ...filter, ...(caller.kind === 'organisation' ? { organisation: caller.organisation } : {}) });
  }

  /** One ticket; another organisation's is NOT_FOUND, as if it did not exist. */
  async get(caller: SupportCaller, id: string): Promise<Ticket> {
    await this.requireOfficer(caller, 'read-tickets');
    const ticket = await this.tickets.findOne({ _id: id });
    if (ticket === null || !mayRead(ticket, caller)) throw new SupportError('NOT_FOUND', `no ticket ${id}`);
    return ticket;
  }

  /** An operator answers, or the organisation adds to its own ticket. */
  async reply(caller: SupportCaller, id: string, message: string): Promise<Ticket> {
    return this.act(caller.kind === 'operator' ? 'answer-ticket' : 'reply-ticket', caller, id, async () => {
      await this.requireOfficer(caller, 'answer-ticket');
      const ticket = await this.get(caller, id);
      const text = checkText(message, 'message', LIMITS.textChars);
      if (!text.ok) throw new SupportError('INVALID', text.problems.join('; '));
      const status = statusAfterReply(ticket, caller);
      if (status === null) throw new SupportError('INVALID_TRANSITION', `ticket ${id} is closed: open a new one`);
      const at = this.now();
      const messages = [
        ...ticket.messages,
        {
          at,
          from: caller.kind === 'operator' ? 'operator' : 'organisation',
          author: caller.kind === 'operator' ? caller.officer : caller.system,
          text: text.value,
        } as const,
      ];
      await this.tickets.updateOne({ _id: id }, { $set: { status, updatedAt: at, messages } });
      return { ...ticket, status, updatedAt: at, messages };
    });
  }

  /** An operator closes a ticket with its resolution; closed is final. */
  async close(officer: string, id: string, resolution: string): Promise<Ticket> {
    const caller: SupportCaller = { kind: 'operator', officer };
    return this.act('close-ticket', caller, id, async () => {
      await this.requireOfficer(caller, 'close-ticket');
      const ticket = await this.get(caller, id);
      const text = checkText(resolution, 'resolution', LIMITS.textChars);
      if (!text.ok) throw new SupportError('REASON_REQUIRED', `a ticket is closed with its resolution: ${text.problems.join('; ')}`);
      if (ticket.status === 'closed') throw new SupportError('INVALID_TRANSITION', `ticket ${id} is already closed`);
      const at = this.now();
      await this.tickets.updateOne({ _id: id }, { $set: { status: 'closed', updatedAt: at, closedAt: at, resolution: text.value } });
      return { ...ticket, status: 'closed', updatedAt: at, closedAt: at, resolution: text.value };
    });
  }

  /**
   * An operator caller must be a registered officer competent for the act (officer-competence.ts).
   * The edge (gRPC operator call, CLI `--officer`) authenticated them by their certificate.
   */
  private async requireOfficer(caller: SupportCaller, act: OfficerAct): Promise<void> {
    if (caller.kind !== 'operator') return;
    const officer = (await this.registry.listOfficers()).find((candidate) => candidate._id === caller.officer);
    if (officer === undefined)
      throw new SupportError('NOT_AN_OFFICER', `${caller.officer} is not a registered officer (\`dancu registry officer add\`)`);
    const problem = competenceProblem(act, officer);
    if (problem !== null) throw new SupportError('NOT_COMPETENT', problem);
  }

  /** Runs one change and journals it: `done`, or `refused` with the error's code. */
  private async act(
    action: string,
    caller: SupportCaller,
    ticketId: string | undefined,
    body: (entry: { agreement?: string; detail?: string }) => Promise<Ticket>,
  ): Promise<Ticket> {
    const actor: JournalActor =
      caller.kind === 'operator' ? { officer: caller.officer } : { organisation: caller.organisation, system: caller.system };
    const entry: { agreement?: string; detail?: string } = ticketId ? { detail: ticketId } : {};
    const base = { act: 'support' as const, action, actor, citizens: [], fields: [] };
    let ticket: Ticket;
    try {
      ticket = await body(entry);
    } catch (error) {
      if (error instanceof SupportError)
        await this.journal.append({
          ...base,
          ...entry,
          decision: 'refused',
          reason: error.code,
          detail: `${ticketId ?? ''} ${error.message}`.trim().slice(0, 300),
          at: this.now(),
        });
      throw error;
    }
    await this.journal.append({
      ...base,
      ...entry,
      ...(ticket.agreementId ? { agreement: ticket.agreementId } : {}),
      detail: `${ticket._id}: ${ticket.kind}, ${ticket.severity}, ${ticket.status}`,
      decision: 'done',
      at: this.now(),
    });
    return ticket;
  }
}
