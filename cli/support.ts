import type { Command } from 'commander';
import type { OfficerAct } from '../hub/registry/officer-competence.ts';
import { SupportDesk } from '../hub/support/support-desk.ts';
import { isTicketStatus, TICKET_STATUSES, type Ticket } from '../hub/support/ticket.ts';
import { type OfficerFlags, officerOption } from './officer.ts';
import { asOfficer } from './registry.ts';
import { printTable } from './table.ts';

/** R36: the operators' side of the support desk; connected organisations use the Support gRPC service. */
export function registerSupportCommand(program: Command): void {
  const support = program
    .command('support')
    .description(
      'Incidents and support requests from connected organisations (R36): list, read, answer and close them. Organisations open them over gRPC (dancu.support.v1.Support). Every change is journaled.',
    );
  // The desk, used as the officer the loaded certificate proves (cli/officer.ts), competent for `act`.
  const asDeskOfficer = <T>(
    flags: OfficerFlags,
    act: OfficerAct,
    use: (desk: SupportDesk, operator: { kind: 'operator'; officer: string }) => Promise<T>,
  ) =>
    asOfficer(
      flags,
      (registry, officer, { db, journal }) => use(new SupportDesk(db, journal, registry), { kind: 'operator', officer }),
      act,
    );

  officerOption(
    support
      .command('list')
      .description('Tickets, newest first (at most 200): id, kind, severity, status, organisation, subject, last update.')
      .option('--status <status>', TICKET_STATUSES.join(' | '))
      .option('--json', 'one JSON object per line'),
  ).action(async (o: { status?: string; json?: boolean } & OfficerFlags) => {
    if (o.status !== undefined && !isTicketStatus(o.status)) throw new Error(`--status must be one of ${TICKET_STATUSES.join(', ')}`);
    const tickets = await asDeskOfficer(o, 'read-tickets', (d, operator) =>
      d.list(operator, o.status && isTicketStatus(o.status) ? { status: o.status } : {}),
    );
    if (o.json) for (const ticket of tickets) console.log(JSON.stringify(ticket));
    else if (tickets.length === 0) console.log('no tickets');
    else
      printTable([
        ['ticket', 'kind', 'severity', 'status', 'organisation', 'subject', 'updated'],
        ...tickets.map((t) => [t._id, t.kind, t.severity, t.status, t.organisation, t.subject.slice(0, 60), t.updatedAt.toISOString()]),
      ]);
  });

  officerOption(support.command('show').description('One ticket with every message.').argument('<ticket-id>')).action(
    async (id: string, o: OfficerFlags) => print(await asDeskOfficer(o, 'read-tickets', (d, operator) => d.get(operator, id))),
  );

  officerOption(
    support
      .command('answer')
      .description('Answer a ticket as a registered officer; the organisation reads it over gRPC.')
      .argument('<ticket-id>')
      .requiredOption('--message <text>', 'the answer'),
  ).action(async (id: string, o: { message: string } & OfficerFlags) =>
    print(await asDeskOfficer(o, 'answer-ticket', (d, operator) => d.reply(operator, id, o.message))),
  );

  officerOption(
    support
      .command('close')
      .description('Close a ticket with its resolution, as a registered officer; a closed ticket takes no more messages.')
      .argument('<ticket-id>')
      .requiredOption('--resolution <text>', 'how it was resolved'),
  ).action(async (id: string, o: { resolution: string } & OfficerFlags) =>
    print(await asDeskOfficer(o, 'close-ticket', (d, operator) => d.close(operator.officer, id, o.resolution))),
  );
}

function print(ticket: Ticket): void {
  console.log(`${ticket._id} ${ticket.kind} (${ticket.severity}) — ${ticket.status}`);
  console.log(
    `from ${ticket.organisation} (system ${ticket.system})${ticket.agreementId ? `, agreement ${ticket.agreementId}` : ''}, opened ${ticket.openedAt.toISOString()}`,
  );
  console.log(`subject: ${ticket.subject}`);
  for (const message of ticket.messages) console.log(`\n[${message.at.toISOString()}] ${message.from} ${message.author}:\n${message.text}`);
  if (ticket.status === 'closed') console.log(`\nclosed ${ticket.closedAt?.toISOString()}: ${ticket.resolution}`);
}
