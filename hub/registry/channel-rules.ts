// R18, R10, R9: the channels through which each category of requester may exploit the population
// DB, and what a channel may serve. One table, read from the law (../shared/seeds): the draft
// circular on exploitation services, Điều 6 (R18), and Decree 70/2024 art. 10.2 (R9, R10: state
// bodies through the population-DB connection or the portals, everyone else through the portals).
// A connection request names its channel; submitting one its requester may not use is refused
// with the rule's id (CHANNEL_NOT_ALLOWED), and so is a service the channel or category may not use.
import type { RequesterCategory } from './requester-category.ts';
import type { ServiceName } from './service-catalogue.ts';

export const CHANNELS = [
  'population-db-connection', // direct DB-to-DB connection (Law on Identity 2023 art. 10.5.a)
  'public-service-portal', // the national or MPS public-service portal, ministerial and provincial portals (art. 10.5.b)
  'one-stop-system', // a ministry's or province's electronic one-stop system (draft circular Điều 6.1)
  'ministry-approved-method', // another method the Ministry of Public Security sets out (Điều 6.2), e.g. an eKYC API
  'written-request', // a written request on the template (art. 10.5.c; R19)
  'sms', // the SMS service, citizens only (Điều 6.3; R20)
] as const;

export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** The channels a connected system uses; written requests and SMS have procedures of their own (R19, R20). */
export const SYSTEM_CHANNELS: readonly Channel[] = Object.freeze([
  'population-db-connection',
  'public-service-portal',
  'one-stop-system',
  'ministry-approved-method',
]);

export interface ChannelRule {
  /** Named in every refusal the rule causes. */
  id: string;
  obligations: string;
  law: string;
  categories: readonly RequesterCategory[];
  channels: readonly Channel[];
  /** When set, the only services this category may use (citizens: their own information). */
  services?: readonly ServiceName[];
}

export const CHANNEL_RULES: readonly ChannelRule[] = Object.freeze([
  {
    id: 'CHANNEL-STATE',
    obligations: 'R18, R9',
    law: 'draft circular Điều 6.1; Decree 70/2024 art. 10.2',
    categories: ['CENTRAL_STATE_BODY', 'PROVINCIAL_STATE_BODY', 'DISTRICT_STATE_BODY', 'COMMUNE_STATE_BODY'],
    channels: ['population-db-connection', 'public-service-portal', 'one-stop-system', 'written-request'],
  },
  {
    id: 'CHANNEL-LICENSED',
    obligations: 'R18, R10',
    law: 'draft circular Điều 6.2; Decree 70/2024 art. 10.2',
    categories: ['CREDIT_INSTITUTION', 'TELECOM_PROVIDER', 'SIGNATURE_OR_EID_PROVIDER', 'NOTARY', 'BAILIFF', 'PUBLIC_SERVICE_ORGANISATION'],
    channels: ['public-service-portal', 'written-request', 'ministry-approved-method'],
  },
  {
    // The portals are themselves the channel: citizens reach their own information through them (R10, R21).
    id: 'CHANNEL-PORTAL',
    obligations: 'R18, R10, R21',
    law: 'Law on Identity 2023 art. 10.5.b; Decree 70/2024 art. 10.2',
    categories: ['PUBLIC_SERVICE_PORTAL'],
    channels: ['public-service-portal'],
  },
  {
    id: 'CHANNEL-CITIZEN',
    obligations: 'R18, R8, R10',
    law: 'draft circular Điều 6.3; Law on Identity 2023 art. 10.7',
    categories: ['INDIVIDUAL'],
    channels: ['written-request', 'sms', 'public-service-portal'],
    services: ['SelfService'],
  },
  {
    id: 'CHANNEL-OTHER',
    obligations: 'R18, R10',
    law: 'draft circular Điều 6.4; Decree 70/2024 art. 10.2',
    categories: ['OTHER_ORGANISATION'],
    channels: ['written-request', 'public-service-portal'],
  },
] satisfies ChannelRule[]);

/**
 * What a channel may serve, and who may hold it: the citizen's own record only through a portal or
 * one-stop system (R21, R39), held only by a public-service portal — citizens never connect a
 * system of their own; they exploit through the portals (R10, R18).
 */
export const SERVICE_CHANNELS: Readonly<
  Partial<Record<ServiceName, { rule: string; channels: readonly Channel[]; categories: readonly RequesterCategory[] }>>
> = Object.freeze({
  SelfService: {
    rule: 'CHANNEL-PORTAL-SELF-SERVICE (R10, R18, R21, R39)',
    channels: ['public-service-portal', 'one-stop-system'],
    categories: ['PUBLIC_SERVICE_PORTAL'],
  },
});

export function channelRule(category: RequesterCategory): ChannelRule {
  const rule = CHANNEL_RULES.find((candidate) => candidate.categories.includes(category));
  if (rule === undefined) throw new Error(`no channel rule covers requester category ${category}`);
  return rule;
}

/** Whether a requester of `category` may use `channel` at all (any procedure: connection, written request, SMS). */
export function mayUseChannel(category: RequesterCategory, channel: Channel): boolean {
  return channelRule(category).channels.includes(channel);
}

/**
 * Every reason a connection request of `category` may not use `channel` and `services`, each naming
 * the rule; [] when it may.
 */
export function channelProblems(category: RequesterCategory, channel: Channel, services: readonly ServiceName[]): string[] {
  const rule = channelRule(category);
  const cite = `rule ${rule.id} (${rule.obligations}; ${rule.law})`;
  const problems: string[] = [];
  if (!rule.channels.includes(channel))
    problems.push(`a ${category} may not exploit through ${channel}: only ${rule.channels.join(', ')}, by ${cite}`);
  else if (!SYSTEM_CHANNELS.includes(channel))
    problems.push(
      `${channel} is not a system connection: it has its own procedure (R19 written requests, R20 SMS), not a connection request`,
    );
  for (const service of services) {
    if (rule.services && !rule.services.includes(service))
      problems.push(`a ${category} may use only ${rule.services.join(', ')} (its own information), not ${service}, by ${cite}`);
    const served = SERVICE_CHANNELS[service];
    if (served && !served.channels.includes(channel))
      problems.push(`${service} is served only through ${served.channels.join(' or ')}, not ${channel}, by rule ${served.rule}`);
    if (served && !served.categories.includes(category))
      problems.push(
        `${service} is held only by a ${served.categories.join(' or ')}, not a ${category}: citizens reach their own data through a portal, by rule ${served.rule}`,
      );
  }
  return problems;
}
