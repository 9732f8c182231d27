// A written request for citizen information (R19; draft circular Điều 7 khoản 1): the requester
// sends the template, the provider records it, guides the requester to choose the services, and
// delivers them by the agreed time as a Form 01 notice — or refuses in writing with the reason.
// Plain rules over plain values: the template's check, the lifecycle and when a request is overdue.

import { checkPersonalId } from '../../schemas/personal-id.ts';
import { type CitizenField, isCitizenField } from '../citizen/fields.ts';
import type { CitizenKey } from '../exchange/exchange-call.ts';
import type { Checked } from '../registry/registry-error.ts';
import {
  checkLocality,
  consentRequired,
  isRequesterCategory,
  type Locality,
  REQUESTER_CATEGORIES,
  type RequesterCategory,
} from '../registry/requester-category.ts';

/** Citizens one written request may name: a request about more is a bulk exchange, not a letter. */
export const MAX_CITIZENS = 100;

export interface WrittenRequester {
  name: string;
  category: RequesterCategory;
  /** Its seat, or where an individual is registered as resident: decides the competent authority (R17). */
  locality: Locality;
  /** Postal address the answer is sent to. */
  address: string;
  contact?: string;
  /** An individual's own personal id: their own information needs no one's consent. */
  personalId?: string;
}

/** A citizen the request concerns, named by the same key as Lookup; non-state requesters also cite the citizen's consent (R12). */
export interface ConcernedCitizen extends CitizenKey {
  /** The reference of the citizen's confirmation (VNeID or another online public service). */
  consentReference?: string;
}

/** What the template holds (Phụ lục II): who asks, what for, which information, about whom. */
export interface WrittenRequestTemplate {
  requester: WrittenRequester;
  purpose: string;
  /** The services wanted: the items of citizen information the requester asks for. */
  servicesWanted: CitizenField[];
  citizens: ConcernedCitizen[];
  /** The requester's own reference (its letter number), if any. */
  letterReference?: string;
}

export const WRITTEN_REQUEST_STATUSES = ['received', 'guided', 'delivered', 'refused'] as const;
export type WrittenRequestStatus = (typeof WRITTEN_REQUEST_STATUSES)[number];

export interface WrittenRequestStep {
  status: WrittenRequestStatus;
  at: Date;
  officer: string;
  /** A refusal's written reason. */
  reason?: string;
}

export interface WrittenRequestRecord {
  _id: string;
  status: WrittenRequestStatus;
  template: WrittenRequestTemplate;
  receivedAt: Date;
  /** R11: the decision is due by the end of the third working day after receipt. */
  decisionDeadline: Date;
  /** What the officer and the requester chose (R19: "guides the requester to choose services"). */
  chosenServices?: CitizenField[];
  /** The delivery time the parties agreed. */
  deliverBy?: Date;
  /** The delivered notice's SHA-256 (the notice itself is not kept: it is personal data). */
  noticeSha256?: string;
  history: WrittenRequestStep[];
  revision: number;
}

export type WrittenRequestAction = 'choose' | 'deliver' | 'refuse';

const NEXT: Record<WrittenRequestAction, Partial<Record<WrittenRequestStatus, WrittenRequestStatus>>> = {
  choose: { received: 'guided' },
  deliver: { guided: 'delivered' },
  refuse: { received: 'refused', guided: 'refused' },
};

export function nextWrittenStatus(from: WrittenRequestStatus, action: WrittenRequestAction): WrittenRequestStatus | null {
  return NEXT[action][from] ?? null;
}

/** Undecided past the R11 deadline, or chosen and not delivered by the agreed time. */
export function isWrittenRequestOverdue(
  record: Pick<WrittenRequestRecord, 'status' | 'decisionDeadline' | 'deliverBy'>,
  now: Date,
): boolean {
  if (record.status === 'received') return now > record.decisionDeadline;
  if (record.status === 'guided') return record.deliverBy !== undefined && now > record.deliverBy;
  return false;
}

/** The chosen services: at least one, each one the requester asked for (an officer may narrow, never widen). */
export function checkChosenServices(template: WrittenRequestTemplate, chosen: unknown): Checked<CitizenField[]> {
  if (!Array.isArray(chosen) || chosen.length === 0) return { ok: false, problems: ['choose at least one of the services wanted'] };
  const problems: string[] = [];
  for (const item of chosen) {
    if (typeof item !== 'string' || !isCitizenField(item)) problems.push(`${JSON.stringify(item)} is not a citizen field`);
    else if (!template.servicesWanted.includes(item))
      problems.push(`${item} was not asked for: the requester wanted ${template.servicesWanted.join(', ')}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: [...new Set(chosen as CitizenField[])] };
}

function text(value: unknown, path: string, problems: string[], max = 500): string {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${path} is required`);
    return '';
  }
  if (value.length > max) problems.push(`${path} is at most ${max} characters`);
  return value.normalize('NFC').trim();
}

function personalIdProblems(value: unknown, path: string): string[] {
  if (typeof value !== 'string') return [`${path} must be a 12-digit personal id`];
  return checkPersonalId(value).map((problem) => `${path}: ${problem.message}`);
}

/** Checks a template as received and names every problem. */
export function checkWrittenRequest(input: unknown): Checked<WrittenRequestTemplate> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, problems: ['a written request is a JSON object (see deploy/examples/written-request.json)'] };
  const raw = input as Record<string, unknown>;
  const problems = Object.keys(raw)
    .filter((key) => !['requester', 'purpose', 'servicesWanted', 'citizens', 'letterReference'].includes(key))
    .map((key) => `${key} is not part of the template`);
  const r = (typeof raw.requester === 'object' && raw.requester !== null ? raw.requester : {}) as Record<string, unknown>;
  const category = typeof r.category === 'string' && isRequesterCategory(r.category) ? r.category : undefined;
  if (category === undefined) problems.push(`requester.category must be one of ${REQUESTER_CATEGORIES.join(', ')}`);
  const locality = checkLocality(r.locality, 'requester.locality');
  if (!locality.ok) problems.push(...locality.problems);
  const requester: WrittenRequester = {
    name: text(r.name, 'requester.name', problems, 200),
    category: category ?? 'INDIVIDUAL',
    locality: locality.ok ? locality.value : { province: '01' },
    address: text(r.address, 'requester.address', problems),
  };
  if (r.contact !== undefined) requester.contact = text(r.contact, 'requester.contact', problems, 200);
  if (r.personalId !== undefined) {
    problems.push(...personalIdProblems(r.personalId, 'requester.personalId'));
    requester.personalId = String(r.personalId);
  }
  if (category === 'INDIVIDUAL' && requester.personalId === undefined) problems.push('requester.personalId is required of an individual');

  const wanted = Array.isArray(raw.servicesWanted) ? raw.servicesWanted : [];
  if (wanted.length === 0) problems.push('servicesWanted names at least one item of citizen information (a citizen field)');
  for (const field of wanted)
    if (typeof field !== 'string' || !isCitizenField(field))
      problems.push(`servicesWanted: ${JSON.stringify(field)} is not a citizen field`);

  const listed = Array.isArray(raw.citizens) ? raw.citizens : [];
  if (listed.length === 0 || listed.length > MAX_CITIZENS) problems.push(`citizens names 1 to ${MAX_CITIZENS} citizens`);
  const citizens: ConcernedCitizen[] = [];
  const seen = new Set<string>();
  listed.forEach((item: unknown, n) => {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const path = `citizens[${n}]`;
    problems.push(...personalIdProblems(c.personalId, `${path}.personalId`));
    if (typeof c.dateOfBirth !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(c.dateOfBirth))
      problems.push(`${path}.dateOfBirth must be YYYY-MM-DD`);
    const citizen: ConcernedCitizen = {
      personalId: String(c.personalId),
      fullName: text(c.fullName, `${path}.fullName`, problems, 100),
      dateOfBirth: String(c.dateOfBirth),
    };
    if (seen.has(citizen.personalId)) problems.push(`${path}: ${citizen.personalId} is named twice`);
    seen.add(citizen.personalId);
    if (c.consentReference !== undefined) citizen.consentReference = text(c.consentReference, `${path}.consentReference`, problems, 100);
    // R12: a non-state requester reads someone else's information only with that citizen's consent.
    const ownRecord = requester.personalId !== undefined && requester.personalId === citizen.personalId;
    if (category !== undefined && consentRequired(category) && !ownRecord && citizen.consentReference === undefined) {
      problems.push(`${path}: a ${category} needs the citizen's consent (R12): give the consentReference of their confirmation`);
    }
    citizens.push(citizen);
  });
  const template: WrittenRequestTemplate = {
    requester,
    purpose: text(raw.purpose, 'purpose', problems, 1000),
    servicesWanted: [...new Set(wanted.filter((field): field is CitizenField => typeof field === 'string' && isCitizenField(field)))],
    citizens,
  };
  if (raw.letterReference !== undefined) template.letterReference = text(raw.letterReference, 'letterReference', problems, 100);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: template };
}
