import { describe, expect, it } from 'vitest';
import { CHANNEL_RULES, channelProblems, mayUseChannel } from './channel-rules.ts';
import { REQUESTER_CATEGORIES } from './requester-category.ts';

describe('channels by requester category (R18, R10, R9)', () => {
  it('R18: every requester category falls under exactly one rule', () => {
    for (const category of REQUESTER_CATEGORIES) expect(CHANNEL_RULES.filter((rule) => rule.categories.includes(category))).toHaveLength(1);
  });

  it('R18, R9, R6: a state body connects its database directly or through a portal or one-stop system; a bank may not connect directly', () => {
    expect(channelProblems('PROVINCIAL_STATE_BODY', 'population-db-connection', ['Lookup', 'WatchChanges'])).toEqual([]);
    expect(channelProblems('CENTRAL_STATE_BODY', 'one-stop-system', ['Lookup'])).toEqual([]);
    expect(channelProblems('CREDIT_INSTITUTION', 'population-db-connection', ['Lookup'])).toEqual([
      'a CREDIT_INSTITUTION may not exploit through population-db-connection: only public-service-portal, written-request, ministry-approved-method, by rule CHANNEL-LICENSED (R18, R10; draft circular Điều 6.2; Decree 70/2024 art. 10.2)',
    ]);
    expect(channelProblems('CREDIT_INSTITUTION', 'ministry-approved-method', ['Lookup', 'Verify'])).toEqual([]);
  });

  it('R18, R10: an organisation in no other category uses a written request or a portal, never a system connection of its own', () => {
    expect(channelProblems('OTHER_ORGANISATION', 'ministry-approved-method', ['Verify'])[0]).toContain(
      'rule CHANNEL-OTHER (R18, R10; draft circular Điều 6.4',
    );
    expect(channelProblems('OTHER_ORGANISATION', 'public-service-portal', ['Verify'])).toEqual([]);
    expect(mayUseChannel('OTHER_ORGANISATION', 'written-request')).toBe(true);
    expect(mayUseChannel('OTHER_ORGANISATION', 'sms')).toBe(false);
  });

  it('R18, R8, R10, R6: a citizen uses SMS, a written request or a portal, only for their own information, and connects no system of their own', () => {
    expect(mayUseChannel('INDIVIDUAL', 'sms')).toBe(true);
    expect(mayUseChannel('CREDIT_INSTITUTION', 'sms')).toBe(false);
    expect(channelProblems('INDIVIDUAL', 'public-service-portal', ['SelfService'])).toEqual([
      expect.stringContaining('SelfService is held only by a PUBLIC_SERVICE_PORTAL, not a INDIVIDUAL'),
    ]);
    expect(channelProblems('INDIVIDUAL', 'public-service-portal', ['Lookup'])).toEqual([
      expect.stringContaining('may use only SelfService (its own information), not Lookup, by rule CHANNEL-CITIZEN'),
    ]);
  });

  it('R10, R18: a public-service portal connects as the portal channel and may hold SelfService; no one else may', () => {
    expect(channelProblems('PUBLIC_SERVICE_PORTAL', 'public-service-portal', ['SelfService'])).toEqual([]);
    expect(channelProblems('PUBLIC_SERVICE_PORTAL', 'population-db-connection', ['SelfService'])[0]).toContain(
      'rule CHANNEL-PORTAL (R18, R10, R21',
    );
    expect(channelProblems('CENTRAL_STATE_BODY', 'public-service-portal', ['SelfService'])).toEqual([
      expect.stringContaining('SelfService is held only by a PUBLIC_SERVICE_PORTAL'),
    ]);
  });

  it('R18, R21: SelfService is served only through a portal or one-stop system; written requests and SMS are no connection', () => {
    expect(channelProblems('CENTRAL_STATE_BODY', 'population-db-connection', ['SelfService'])).toEqual(
      expect.arrayContaining([expect.stringContaining('SelfService is served only through public-service-portal or one-stop-system')]),
    );
    expect(channelProblems('CENTRAL_STATE_BODY', 'written-request', ['Lookup'])).toEqual([
      expect.stringContaining('written-request is not a system connection'),
    ]);
  });
});
