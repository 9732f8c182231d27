// A connection request's lifecycle, and the agreement it becomes once approved (one document,
// one id: the agreement id is the request id, so approval is a single-document update).
//
//   submitted → approved | refused
//   approved → suspended → approved (reinstated)
//   approved | suspended → revoked (terminal)

import type { Channel } from './channel-rules.ts';
import {
  type ConnectionRequest,
  checkGrants,
  checkQuota,
  checkValidity,
  type Grant,
  ProblemReader,
  type Quota,
  type Validity,
} from './connection-request.ts';
import type { AcceptedTerm } from './onward-sharing.ts';
import type { Checked } from './registry-error.ts';
import { consentRequired, type FeeClass, feeClass } from './requester-category.ts';
import type { ServiceName } from './service-catalogue.ts';

export type RequestStatus = 'submitted' | 'approved' | 'refused' | 'suspended' | 'revoked';
export const REQUEST_STATUSES: readonly RequestStatus[] = Object.freeze(['submitted', 'approved', 'refused', 'suspended', 'revoked']);

export function isRequestStatus(value: string): value is RequestStatus {
  return (REQUEST_STATUSES as readonly string[]).includes(value);
}

export type LifecycleAction = 'approve' | 'refuse' | 'suspend' | 'reinstate' | 'revoke';

const STEPS: Readonly<Record<LifecycleAction, { from: readonly RequestStatus[]; to: RequestStatus; reasonRequired: boolean }>> =
  Object.freeze({
    approve: { from: ['submitted'], to: 'approved', reasonRequired: false },
    refuse: { from: ['submitted'], to: 'refused', reasonRequired: true }, // R11, R19: in writing, with the reason
    suspend: { from: ['approved'], to: 'suspended', reasonRequired: true },
    reinstate: { from: ['suspended'], to: 'approved', reasonRequired: false },
    revoke: { from: ['approved', 'suspended'], to: 'revoked', reasonRequired: true },
  });

export function reasonRequired(action: LifecycleAction): boolean {
  return STEPS[action].reasonRequired;
}

/** The status an action leads to from `current`, or null when the lifecycle has no such step. */
export function nextStatus(current: RequestStatus, action: LifecycleAction): RequestStatus | null {
  const step = STEPS[action];
  return step.from.includes(current) ? step.to : null;
}

/** One entry of a request's status history: who moved it where, when and why. */
export interface StatusChange {
  status: RequestStatus;
  at: Date;
  by: { officer?: string; organisation?: string };
  reason?: string;
}

/** What an approval grants: the request's grants, quota and validity, possibly narrowed. */
export interface Terms {
  grants: Grant[];
  quota: Quota;
  validity: Validity;
}

/** A connection request as the registry stores it (collection `connection_requests`). */
export interface RequestRecord {
  _id: string;
  status: RequestStatus;
  submittedAt: Date;
  /** R11: end of the 3rd working day after receipt, fixed at submission. */
  deadline: Date;
  request: ConnectionRequest;
  /** Set on approval. */
  terms?: Terms;
  history: StatusChange[];
  /** R34: set when the competent officer lets the requester test before approval (sandbox agreement). */
  testing?: TestingApproval;
}

/** R34: a submitted request approved for test runs: who allowed it, and until when. */
export interface TestingApproval {
  approvedAt: Date;
  by: string;
  until: Date;
}

/** How long a test-run approval lasts, and the most a sandbox agreement may use a day. */
export const TESTING_DAYS = 30;
export const SANDBOX_DAILY_LIMIT = 1_000;
/** The services a test run may call: reads of synthetic citizens, never the change feed or the registers. */
export const SANDBOX_SERVICES: readonly ServiceName[] = Object.freeze(['Lookup', 'BatchLookup', 'Verify']);
/** A sandbox agreement's id is its request's id with this suffix, so it never names the real agreement. */
export const SANDBOX_SUFFIX = '.sandbox';

export function sandboxAgreementId(requestId: string): string {
  return `${requestId}${SANDBOX_SUFFIX}`;
}

/** The request id a sandbox agreement id names, or null when it names none. */
export function requestOfSandbox(agreementId: string): string | null {
  return agreementId.endsWith(SANDBOX_SUFFIX) ? agreementId.slice(0, -SANDBOX_SUFFIX.length) : null;
}

/** R11: still undecided after its deadline. */
export function isOverdue(record: Pick<RequestRecord, 'status' | 'deadline'>, now: Date): boolean {
  return record.status === 'submitted' && now.getTime() > record.deadline.getTime();
}

/**
 * Approval may narrow, never widen: fewer fields or modes, a lower quota, a shorter window.
 * Whatever the narrowing leaves out stays as requested.
 */
export function checkNarrowing(
  request: ConnectionRequest,
  narrowing: { grants?: unknown; quota?: unknown; validity?: unknown } = {},
): Checked<Terms> {
  const reader = new ProblemReader();
  const grants = narrowing.grants === undefined ? request.grants : checkGrants(narrowing.grants, reader, 'approved grants');
  const quota = narrowing.quota === undefined ? request.quota : checkQuota(narrowing.quota, reader, 'approved quota');
  const validity = narrowing.validity === undefined ? request.validity : checkValidity(narrowing.validity, reader, 'approved validity');
  for (const grant of grants) {
    const asked = request.grants.find((candidate) => candidate.field === grant.field);
    const extra = grant.modes.filter((mode) => !asked?.modes.includes(mode));
    if (extra.length > 0)
      reader.problems.push(`approval cannot grant ${grant.field} for ${extra.join(', ')}: the request did not ask for it`);
  }
  if (quota.ratePerSecond > request.quota.ratePerSecond)
    reader.problems.push(`approved quota.ratePerSecond ${quota.ratePerSecond} exceeds the requested ${request.quota.ratePerSecond}`);
  if (quota.dailyLimit > request.quota.dailyLimit)
    reader.problems.push(`approved quota.dailyLimit ${quota.dailyLimit} exceeds the requested ${request.quota.dailyLimit}`);
  if (validity.from < request.validity.from || validity.until > request.validity.until) {
    reader.problems.push('the approved validity must lie within the requested window');
  }
  return reader.problems.length > 0 ? { ok: false, problems: reader.problems } : { ok: true, value: { grants, quota, validity } };
}

/** What the enforcement pipeline checks a call against. */
export interface Agreement extends Terms {
  id: string;
  status: 'approved' | 'suspended' | 'revoked';
  organisation: ConnectionRequest['organisation'];
  system: ConnectionRequest['system'];
  purposes: ConnectionRequest['purposes'];
  services: ConnectionRequest['services'];
  /** R18: the channel it was granted for (null: recorded before requests named one). */
  channel: Channel | null;
  /** R15: the onward-sharing term the requester accepted at submission (null: recorded before the term). */
  onwardSharing: AcceptedTerm | null;
  /** R12: the requester is not a state body, so each citizen's consent is needed. */
  consentRequired: boolean;
  /** R23: whether its metered usage is billed. */
  feeClass: FeeClass;
  approvedAt: Date;
  approvedBy: string;
  /** R34: a sandbox agreement for test runs before approval: synthetic citizens only, journaled as `test-run`. */
  sandbox?: true;
}

/**
 * R34: the sandbox agreement of a request approved for testing and still undecided, or null.
 * It grants what the request asks, but only the sandbox services, within the testing window and
 * a small daily limit; no consent (its citizens are synthetic) and no security assessment yet
 * (test runs come before it, R34).
 */
export function toSandboxAgreement(record: RequestRecord): Agreement | null {
  if (record.status !== 'submitted' || record.testing === undefined) return null;
  const { organisation, system, purposes, services, grants, quota } = record.request;
  return {
    id: sandboxAgreementId(record._id),
    status: 'approved',
    organisation,
    system,
    purposes,
    services: services.filter((service) => SANDBOX_SERVICES.includes(service)),
    grants,
    quota: { ratePerSecond: Math.min(quota.ratePerSecond, 10), dailyLimit: Math.min(quota.dailyLimit, SANDBOX_DAILY_LIMIT) },
    validity: { from: record.testing.approvedAt, until: record.testing.until },
    channel: record.request.channel ?? null,
    onwardSharing: null,
    consentRequired: false,
    feeClass: 'state-budget',
    approvedAt: record.testing.approvedAt,
    approvedBy: record.testing.by,
    sandbox: true,
  };
}

/** The agreement a request became, or null while it is submitted or after it was refused. */
export function toAgreement(record: RequestRecord): Agreement | null {
  if (record.status === 'submitted' || record.status === 'refused' || record.terms === undefined) return null;
  const approval = record.history.find((change) => change.status === 'approved');
  const { organisation, system, purposes, services } = record.request;
  return {
    id: record._id,
    status: record.status,
    organisation,
    system,
    purposes,
    services,
    channel: record.request.channel ?? null,
    onwardSharing: record.request.acceptsOnwardSharingTerm
      ? { id: record.request.acceptsOnwardSharingTerm, acceptedAt: record.submittedAt }
      : null,
    ...record.terms,
    consentRequired: consentRequired(organisation.category),
    feeClass: feeClass(organisation.category),
    approvedAt: approval?.at ?? record.submittedAt,
    approvedBy: approval?.by.officer ?? '',
  };
}

export type AgreementRefusal = 'AGREEMENT_SUSPENDED' | 'AGREEMENT_REVOKED' | 'AGREEMENT_NOT_YET_VALID' | 'AGREEMENT_EXPIRED';

/** Whether calls may run under the agreement at `now` (status and validity window). */
export function agreementInForce(
  agreement: Pick<Agreement, 'status' | 'validity'>,
  now: Date,
): { ok: true } | { ok: false; reason: AgreementRefusal } {
  if (agreement.status === 'revoked') return { ok: false, reason: 'AGREEMENT_REVOKED' };
  if (agreement.status === 'suspended') return { ok: false, reason: 'AGREEMENT_SUSPENDED' };
  if (now < agreement.validity.from) return { ok: false, reason: 'AGREEMENT_NOT_YET_VALID' };
  if (now > agreement.validity.until) return { ok: false, reason: 'AGREEMENT_EXPIRED' };
  return { ok: true };
}
