import { describe, expect, it } from 'vitest';
import { checkNewTicket, mayRead, statusAfterReply } from './ticket.ts';

describe('support tickets (R36)', () => {
  it('R36: a ticket needs a kind, a subject and a description within their bounds; severity defaults to normal', () => {
    expect(checkNewTicket({ kind: 'incident', subject: ' Lookups time out ', description: 'Since 08:00.' })).toEqual({
      ok: true,
      value: { kind: 'incident', severity: 'normal', subject: 'Lookups time out', description: 'Since 08:00.' },
    });
    const bad = checkNewTicket({ kind: 'complaint', severity: 'urgent', subject: 'x'.repeat(201), description: 'a\u202Eb' });
    expect(bad.ok ? [] : bad.problems).toEqual([
      'kind must be incident or support, not "complaint"',
      'severity must be one of low, normal, high, critical',
      'subject is 201 characters, at most 200',
      'description holds a control or bidirectional-override character',
    ]);
  });

  it('R36, R2: an organisation reads only its own tickets; an operator reads all', () => {
    const ticket = { organisation: 'hue-dpc' };
    expect(mayRead(ticket, { kind: 'organisation', organisation: 'hue-dpc', system: 'a' })).toBe(true);
    expect(mayRead(ticket, { kind: 'organisation', organisation: 'bank-s', system: 'b' })).toBe(false);
    expect(mayRead(ticket, { kind: 'operator', officer: 'c06-head' })).toBe(true);
  });

  it("R36: an operator's reply answers a ticket, the organisation's reopens it, and a closed ticket takes none", () => {
    expect(statusAfterReply({ status: 'open' }, { kind: 'operator', officer: 'c06-head' })).toBe('answered');
    expect(statusAfterReply({ status: 'answered' }, { kind: 'organisation', organisation: 'o', system: 's' })).toBe('open');
    expect(statusAfterReply({ status: 'closed' }, { kind: 'operator', officer: 'c06-head' })).toBeNull();
  });
});
