// R36: an incident or support request from a connected organisation, and the rules of its life:
// who may read it, who may write to it, and where each message takes it.
//
//   open ⇄ answered (an operator's reply answers it; the organisation's reopens it) → closed (by an operator, final)
import type { Checked } from '../registry/registry-error.ts';

export const TICKET_KINDS = ['incident', 'support'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const TICKET_STATUSES = ['open', 'answered', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const LIMITS = Object.freeze({ subjectChars: 200, textChars: 8000 });

/** Who is calling: a connected organisation's system, or one of the agency's officers. */
export type SupportCaller = { kind: 'organisation'; organisation: string; system: string } | { kind: 'operator'; officer: string };

export interface TicketMessage {
  at: Date;
  from: 'operator' | 'organisation';
  /** The officer id, or the system id. */
  author: string;
  text: string;
}

/** One ticket (collection `support_tickets`, `_id` = ticket id). */
export interface Ticket {
  _id: string;
  kind: TicketKind;
  severity: Severity;
  status: TicketStatus;
  subject: string;
  organisation: string;
  system: string;
  agreementId?: string;
  openedAt: Date;
  updatedAt: Date;
  messages: TicketMessage[];
  resolution?: string;
  closedAt?: Date;
}

export interface NewTicket {
  kind: TicketKind;
  severity: Severity;
  subject: string;
  description: string;
  agreementId?: string;
}

export function isTicketStatus(value: string): value is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(value);
}

/** A text within its bound, trimmed; a problem otherwise. */
export function checkText(value: unknown, what: string, max: number): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return { ok: false, problems: [`${what} is required`] };
  if (text.length > max) return { ok: false, problems: [`${what} is ${text.length} characters, at most ${max}`] };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control and bidi characters are what this refuses
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/.test(text))
    return { ok: false, problems: [`${what} holds a control or bidirectional-override character`] };
  return { ok: true, value: text.normalize('NFC') };
}

export function checkNewTicket(input: {
  kind?: unknown;
  severity?: unknown;
  subject?: unknown;
  description?: unknown;
  agreementId?: unknown;
}): Checked<NewTicket> {
  const problems: string[] = [];
  const kind = input.kind;
  if (typeof kind !== 'string' || !(TICKET_KINDS as readonly string[]).includes(kind))
    problems.push(`kind must be ${TICKET_KINDS.join(' or ')}, not ${JSON.stringify(String(kind ?? '').slice(0, 20))}`);
  const severity = input.severity === undefined || input.severity === '' ? 'normal' : input.severity;
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity))
    problems.push(`severity must be one of ${SEVERITIES.join(', ')}`);
  const subject = checkText(input.subject, 'subject', LIMITS.subjectChars);
  if (!subject.ok) problems.push(...subject.problems);
  const description = checkText(input.description, 'description', LIMITS.textChars);
  if (!description.ok) problems.push(...description.problems);
  const agreementId = typeof input.agreementId === 'string' && input.agreementId !== '' ? input.agreementId : undefined;
  if (agreementId !== undefined && !/^[A-Za-z0-9._:-]{1,64}$/.test(agreementId)) problems.push('agreementId is not an agreement id');
  if (problems.length > 0 || !subject.ok || !description.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      kind: kind as TicketKind,
      severity: severity as Severity,
      subject: subject.value,
      description: description.value,
      ...(agreementId ? { agreementId } : {}),
    },
  };
}

/** An operator reads every ticket; an organisation only its own. */
export function mayRead(ticket: Pick<Ticket, 'organisation'>, caller: SupportCaller): boolean {
  return caller.kind === 'operator' || ticket.organisation === caller.organisation;
}

/** The status after `caller` adds a message, or null when the ticket takes none (closed). */
export function statusAfterReply(ticket: Pick<Ticket, 'status'>, caller: SupportCaller): TicketStatus | null {
  if (ticket.status === 'closed') return null;
  return caller.kind === 'operator' ? 'answered' : 'open';
}
