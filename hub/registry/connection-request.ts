// R33: what a connection request states — the registering unit and its functions and tasks, the
// system and database to connect, the officer in charge, purpose, scope and the fields to share,
// the services it will use, and the technical documents. Validation names every problem at once.
import { CITIZEN_FIELDS, type CitizenField, isCitizenField } from '../citizen/fields.ts';
import { CHANNELS, type Channel, isChannel } from './channel-rules.ts';
import { checkRequesterLocality } from './competent-authority.ts';
import { onwardSharingProblem } from './onward-sharing.ts';
import { isPurpose, type PurposeCode } from './purposes.ts';
import type { Checked } from './registry-error.ts';
import { checkLocality, isRequesterCategory, type Locality, REQUESTER_CATEGORIES, type RequesterCategory } from './requester-category.ts';
import { FIELD_MODES, type FieldMode, isService, SERVICE_NAMES, type ServiceName, serviceMode } from './service-catalogue.ts';

export interface Grant {
  field: CitizenField;
  modes: FieldMode[];
}

export interface Quota {
  ratePerSecond: number;
  dailyLimit: number;
}

export interface Validity {
  from: Date;
  until: Date;
}

export interface ConnectionRequest {
  organisation: { id: string; name: string; category: RequesterCategory; locality: Locality; functionsAndTasks: string };
  system: { id: string; name: string; version: string; database: string; connectedViaEidPlatform: boolean };
  /** R18: how the requester exploits the data; its category decides which it may use (channel-rules.ts). */
  channel: Channel;
  officerInCharge: { name: string; title: string; contact: string };
  purposes: PurposeCode[];
  scope: string;
  grants: Grant[];
  services: ServiceName[];
  technicalDocuments: { title: string; uri: string }[];
  validity: Validity;
  quota: Quota;
  /** R15: the id of the onward-sharing term the requester accepts (onward-sharing.ts). */
  acceptsOnwardSharingTerm: string;
}

const ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Collects problems while reading an untyped object, each with its path. */
export class ProblemReader {
  readonly problems: string[] = [];

  object(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problems.push(`${path} must be an object with ${keys.join(', ')}`);
      return {};
    }
    for (const key of Object.keys(value)) if (!keys.includes(key)) this.problems.push(`${path}.${key} is not part of a connection request`);
    return value as Record<string, unknown>;
  }

  text(value: unknown, path: string, pattern?: RegExp): string {
    if (typeof value !== 'string' || value.trim() === '') this.problems.push(`${path} must be a non-empty string`);
    else if (pattern && !pattern.test(value)) this.problems.push(`${path} ${JSON.stringify(value)} must match ${pattern.source}`);
    return typeof value === 'string' ? value : '';
  }

  list(value: unknown, path: string, what: string): unknown[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.problems.push(`${path} must list at least one ${what}`);
      return [];
    }
    return value;
  }

  positive(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
      this.problems.push(`${path} must be a positive whole number, not ${JSON.stringify(value)}`);
    return typeof value === 'number' ? value : 0;
  }

  date(value: unknown, path: string): Date {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) this.problems.push(`${path} must be an ISO date-time, not ${JSON.stringify(value)}`);
    return date;
  }

  unique<T>(values: T[], path: string): T[] {
    const seen = new Set<T>();
    for (const value of values) {
      if (seen.has(value)) this.problems.push(`${path} names ${String(value)} twice`);
      seen.add(value);
    }
    return values;
  }
}

export function checkGrants(value: unknown, reader: ProblemReader, path = 'grants'): Grant[] {
  const grants = reader.list(value, path, `grant { field, modes } (one of ${CITIZEN_FIELDS.length} citizen fields)`).map((item, index) => {
    const grant = reader.object(item, `${path}[${index}]`, ['field', 'modes']);
    const field = reader.text(grant.field, `${path}[${index}].field`);
    if (field !== '' && !isCitizenField(field))
      reader.problems.push(`${path}[${index}].field ${JSON.stringify(field)} is not a citizen field (${CITIZEN_FIELDS.join(', ')})`);
    const modes = reader.list(grant.modes, `${path}[${index}].modes`, `mode (${FIELD_MODES.join(' or ')})`).map((mode, at) => {
      if (mode !== 'disclose' && mode !== 'match')
        reader.problems.push(`${path}[${index}].modes[${at}] must be disclose or match, not ${JSON.stringify(mode)}`);
      return mode as FieldMode;
    });
    return { field: field as CitizenField, modes: reader.unique(modes, `${path}[${index}].modes`) };
  });
  reader.unique(
    grants.map((grant) => grant.field),
    path,
  );
  return grants;
}

export function checkQuota(value: unknown, reader: ProblemReader, path = 'quota'): Quota {
  const quota = reader.object(value, path, ['ratePerSecond', 'dailyLimit']);
  return {
    ratePerSecond: reader.positive(quota.ratePerSecond, `${path}.ratePerSecond`),
    dailyLimit: reader.positive(quota.dailyLimit, `${path}.dailyLimit`),
  };
}

export function checkValidity(value: unknown, reader: ProblemReader, path = 'validity'): Validity {
  const window = reader.object(value, path, ['from', 'until']);
  const validity = { from: reader.date(window.from, `${path}.from`), until: reader.date(window.until, `${path}.until`) };
  if (!(validity.until > validity.from)) reader.problems.push(`${path}.until must come after ${path}.from`);
  return validity;
}

/** Each service that reads fields needs at least one grant carrying its mode. */
function checkServicesFitGrants(services: ServiceName[], grants: Grant[], reader: ProblemReader): void {
  for (const service of services) {
    const mode = serviceMode(service);
    if (mode !== null && !grants.some((grant) => grant.modes.includes(mode))) {
      reader.problems.push(`service ${service} needs at least one grant with mode ${mode}`);
    }
  }
}

export function checkConnectionRequest(value: unknown): Checked<ConnectionRequest> {
  const r = new ProblemReader();
  const body = r.object(value, 'request', [
    'organisation',
    'system',
    'channel',
    'officerInCharge',
    'purposes',
    'scope',
    'grants',
    'services',
    'technicalDocuments',
    'validity',
    'quota',
    'acceptsOnwardSharingTerm',
  ]);

  const org = r.object(body.organisation, 'organisation', ['id', 'name', 'category', 'locality', 'functionsAndTasks']);
  const category = r.text(org.category, 'organisation.category');
  if (category !== '' && !isRequesterCategory(category))
    r.problems.push(`organisation.category ${JSON.stringify(category)} is not one of ${REQUESTER_CATEGORIES.join(', ')}`);
  const locality = checkLocality(org.locality, 'organisation.locality');
  if (!locality.ok) r.problems.push(...locality.problems);
  else if (isRequesterCategory(category)) {
    const precise = checkRequesterLocality(category, locality.value);
    if (!precise.ok) r.problems.push(...precise.problems.map((problem) => `organisation.locality: ${problem}`));
  }
  const organisation = {
    id: r.text(org.id, 'organisation.id', ID),
    name: r.text(org.name, 'organisation.name'),
    category: category as RequesterCategory,
    locality: locality.ok ? locality.value : { province: '' },
    functionsAndTasks: r.text(org.functionsAndTasks, 'organisation.functionsAndTasks'),
  };

  const sys = r.object(body.system, 'system', ['id', 'name', 'version', 'database', 'connectedViaEidPlatform']);
  if (typeof sys.connectedViaEidPlatform !== 'boolean') r.problems.push('system.connectedViaEidPlatform must be true or false');
  const system = {
    id: r.text(sys.id, 'system.id', ID),
    name: r.text(sys.name, 'system.name'),
    version: r.text(sys.version, 'system.version'),
    database: r.text(sys.database, 'system.database'),
    connectedViaEidPlatform: sys.connectedViaEidPlatform === true,
  };

  const channel = r.text(body.channel, 'channel');
  if (channel !== '' && !isChannel(channel)) r.problems.push(`channel ${JSON.stringify(channel)} is not one of ${CHANNELS.join(', ')}`);
  const onwardSharing = onwardSharingProblem(body.acceptsOnwardSharingTerm);
  if (onwardSharing !== null) r.problems.push(onwardSharing);

  const officer = r.object(body.officerInCharge, 'officerInCharge', ['name', 'title', 'contact']);
  const officerInCharge = {
    name: r.text(officer.name, 'officerInCharge.name'),
    title: r.text(officer.title, 'officerInCharge.title'),
    contact: r.text(officer.contact, 'officerInCharge.contact'),
  };

  const purposes = r.list(body.purposes, 'purposes', 'purpose code').map((code, index) => {
    if (typeof code !== 'string' || !isPurpose(code))
      r.problems.push(`purposes[${index}] ${JSON.stringify(code)} is not in the purpose catalogue`);
    return code as PurposeCode;
  });
  const services = r.list(body.services, 'services', `service (${SERVICE_NAMES.join(', ')})`).flatMap((name, index) => {
    if (typeof name === 'string' && isService(name)) return [name];
    r.problems.push(`services[${index}] ${JSON.stringify(name)} is not in the service catalogue (${SERVICE_NAMES.join(', ')})`);
    return [];
  });
  const grants = checkGrants(body.grants, r);
  checkServicesFitGrants(services, grants, r);

  const technicalDocuments = r.list(body.technicalDocuments, 'technicalDocuments', 'document { title, uri }').map((item, index) => {
    const doc = r.object(item, `technicalDocuments[${index}]`, ['title', 'uri']);
    const uri = r.text(doc.uri, `technicalDocuments[${index}].uri`);
    if (uri !== '' && !URL.canParse(uri)) r.problems.push(`technicalDocuments[${index}].uri ${JSON.stringify(uri)} is not an absolute URI`);
    return { title: r.text(doc.title, `technicalDocuments[${index}].title`), uri };
  });

  const request: ConnectionRequest = {
    organisation,
    system,
    channel: channel as Channel,
    officerInCharge,
    purposes: r.unique(purposes, 'purposes'),
    scope: r.text(body.scope, 'scope'),
    grants,
    services: r.unique(services, 'services'),
    technicalDocuments,
    validity: checkValidity(body.validity, r),
    quota: checkQuota(body.quota, r),
    acceptsOnwardSharingTerm: body.acceptsOnwardSharingTerm as string,
  };
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: request };
}
