// Connection requests and the agreements they become, as registry actions: filed (R33, R18, R15),
// approved for test runs (R34), decided within the R11 deadline, suspended, reinstated, revoked.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { JournalActor } from '../journal/journal-entry.ts';
import {
  type Agreement,
  checkNarrowing,
  isOverdue,
  type LifecycleAction,
  nextStatus,
  type RequestRecord,
  type RequestStatus,
  reasonRequired,
  requestOfSandbox,
  type StatusChange,
  sandboxAgreementId,
  TESTING_DAYS,
  toAgreement,
  toSandboxAgreement,
} from './agreement.ts';
import type { CertificateActions } from './certificate-actions.ts';
import { channelProblems } from './channel-rules.ts';
import { checkConnectionRequest, type Grant, type Quota } from './connection-request.ts';
import { type Actor, actorName, covers, type OfficerAct } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { orInvalid, RegistryError } from './registry-error.ts';
import { insertOnce, type RegistryCollections, type StoredRequest, upsertRetried } from './registry-store.ts';
import type { SystemActions } from './system-actions.ts';
import { decisionDeadline, type WorkingCalendar } from './working-days.ts';

/** A request as listed: its record plus whether it is past its R11 deadline undecided. */
export type RequestView = RequestRecord & { overdue: boolean };

export interface ReviewInput {
  officerId: string;
  decision: 'approve' | 'refuse';
  /** Required to refuse (R11, R19): the written reason sent to the requester. */
  reason?: string;
  /** Approval may narrow what was asked for. */
  narrowing?: { grants?: Grant[]; quota?: Quota; validity?: { from: Date | string; until: Date | string } };
}

export class RequestActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
    private readonly calendar: WorkingCalendar,
    private readonly findSystem: SystemActions['findSystem'],
    private readonly revokeAll: CertificateActions['revokeAll'],
  ) {}

  /**
   * R33, R18, R15: an officer whose area covers the requester files its request (its channel
   * allowed, the onward-sharing term accepted); `requestId` makes a retried submission a replay.
   */
  async submitRequest(input: unknown, by: Actor, options: { requestId?: string } = {}): Promise<RequestView> {
    const stated = (input ?? {}) as { organisation?: { id?: unknown }; system?: { id?: unknown } };
    const actor: JournalActor = {};
    if (typeof stated.organisation?.id === 'string') actor.organisation = stated.organisation.id;
    if (typeof stated.system?.id === 'string') actor.system = stated.system.id;
    return this.act<RequestView>('submit-request', by, actor, async ({ entry, authorize }) => {
      const request = orInvalid(checkConnectionRequest(input), 'connection request');
      authorize(request.organisation);
      const id = options.requestId ?? `cr-${randomUUID().slice(0, 8)}`;
      if (requestOfSandbox(id) !== null)
        throw new RegistryError('INVALID', `a request id may not end with ${sandboxAgreementId('')}: that names a sandbox agreement (R34)`);
      Object.assign(entry, { agreement: id, fields: request.grants.map((grant) => grant.field) });
      const channel = channelProblems(request.organisation.category, request.channel, request.services);
      if (channel.length > 0) throw new RegistryError('CHANNEL_NOT_ALLOWED', `connection request: ${channel.join('; ')}`);
      const system = await this.store.systems.findOne({ _id: request.system.id });
      if (system !== null && system.organisationId !== request.organisation.id) {
        throw new RegistryError(
          'CONFLICT',
          `system ${request.system.id} is registered to organisation ${system.organisationId}, not ${request.organisation.id}`,
        );
      }
      const known = await this.store.requests.findOne({ _id: id });
      if (known !== null) {
        if (isDeepStrictEqual(known.request, request)) return { value: this.view(known) }; // a replay
        throw new RegistryError('CONFLICT', `request id ${id} is taken by a different request`);
      }
      const submittedAt = this.now();
      const record: StoredRequest = {
        _id: id,
        status: 'submitted',
        submittedAt,
        deadline: decisionDeadline(submittedAt, this.calendar),
        request,
        history: [{ status: 'submitted', at: submittedAt, by: { organisation: request.organisation.id } }],
        revision: 1,
      };
      return {
        apply: async () => {
          const outcome = await insertOnce(this.store.requests, record, (doc) => doc.request);
          if (outcome === 'taken') throw new RegistryError('CONFLICT', `request id ${id} is taken by a different request`);
          // After the request, so a crash in between is mended by retrying the same submission.
          await upsertRetried(() =>
            this.store.systems.updateOne(
              { _id: request.system.id },
              { $set: { organisationId: request.organisation.id }, $addToSet: { agreementIds: id } },
              { upsert: true },
            ),
          );
          return this.view(outcome === 'inserted' ? record : await this.requireRequest(id));
        },
      };
    });
  }

  /** R11, R17: an officer who may decide approves (possibly narrowing) or refuses with a reason. */
  async reviewRequest(id: string, review: ReviewInput): Promise<RequestView> {
    const action: LifecycleAction = review.decision === 'approve' ? 'approve' : 'refuse';
    return this.view(await this.transition('review-request', id, action, review.officerId, review.reason, review.narrowing));
  }

  async suspendAgreement(id: string, officerId: string, reason: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('suspend-agreement', id, 'suspend', officerId, reason));
  }

  async reinstateAgreement(id: string, officerId: string, reason?: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('reinstate-agreement', id, 'reinstate', officerId, reason));
  }

  async revokeAgreement(id: string, officerId: string, reason: string): Promise<Agreement> {
    return this.requireAgreement(await this.transition('revoke-agreement', id, 'revoke', officerId, reason));
  }

  /**
   * Requests newest first, each flagged when still undecided past its R11 deadline: only those of
   * requesters in the officer's area (the agency head sees all). The listing is journaled.
   */
  async listRequests(by: Actor, filter: { status?: RequestStatus } = {}): Promise<RequestView[]> {
    return this.act('list-requests', by, {}, async ({ entry, officer }) => {
      const records = await this.store.requests.find(filter.status ? { status: filter.status } : {}).toArray();
      const mine = records.filter((record) => officer !== null && covers(officer, record.request.organisation.locality));
      entry.detail = `${mine.length} request(s) listed${filter.status ? ` (${filter.status})` : ''}`;
      return { value: mine.sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime()).map((record) => this.view(record)) };
    });
  }

  async getRequest(id: string): Promise<RequestView> {
    return this.view(await this.requireRequest(id));
  }

  /**
   * The agreement a request became; NOT_FOUND while it is undecided or after it was refused. A
   * sandbox agreement id (`<request>.sandbox`) names the request's test-run agreement while it is
   * approved for testing and undecided (R34).
   */
  async getAgreement(id: string): Promise<Agreement> {
    const tested = requestOfSandbox(id);
    if (tested !== null) {
      const sandbox = toSandboxAgreement(await this.requireRequest(tested));
      if (sandbox === null)
        throw new RegistryError('NOT_FOUND', `${id}: request ${tested} is not approved for testing, or was decided since`);
      return sandbox;
    }
    return this.requireAgreement(await this.requireRequest(id));
  }

  /**
   * R34: the requester's competent authority (R17) lets a submitted request's system run tests
   * before the decision, under the sandbox agreement `<request>.sandbox`: synthetic citizens only,
   * for TESTING_DAYS. Approving again while it holds is a replay.
   */
  async approveForTesting(id: string, by: Actor): Promise<Agreement> {
    return this.act<Agreement>(
      'approve-testing',
      by,
      {},
      async ({ entry, authorize }) => {
        const record = await this.requireRequest(id);
        entry.fields = record.request.grants.map((grant) => grant.field);
        authorize(record.request.organisation);
        if (record.status !== 'submitted')
          throw new RegistryError('INVALID_TRANSITION', `${id} is ${record.status}: test runs come before the decision`);
        if (record.testing !== undefined) {
          entry.detail = `sandbox agreement ${sandboxAgreementId(id)} until ${record.testing.until.toISOString()} (already approved)`;
          return { value: toSandboxAgreement(record)! };
        }
        const approvedAt = this.now();
        const testing = { approvedAt, by: actorName(by), until: new Date(approvedAt.getTime() + TESTING_DAYS * 86_400_000) };
        entry.detail = `sandbox agreement ${sandboxAgreementId(id)} until ${testing.until.toISOString()}`;
        return {
          apply: async () => {
            await this.store.requests.updateOne({ _id: id, testing: { $exists: false } }, { $set: { testing } });
            return toSandboxAgreement(await this.requireRequest(id))!;
          },
        };
      },
      { agreement: id },
    );
  }

  /**
   * The agreements of an authenticated system, in force or not (check agreementInForce): one read
   * of the system by `_id`, then one per agreement. Requests never approved are left out.
   */
  async findAgreementsForSystem(systemId: string): Promise<Agreement[]> {
    const system = await this.findSystem(systemId);
    if (system === null) return [];
    const records = await Promise.all(system.agreementIds.map((id) => this.store.requests.findOne({ _id: id })));
    return records.flatMap((record) => {
      const agreement = record === null ? null : (toAgreement(record) ?? toSandboxAgreement(record));
      return agreement === null ? [] : [agreement];
    });
  }

  /** One lifecycle step; the claim on the request's next revision decides between officers acting at once. */
  private async transition(
    journalAction: OfficerAct,
    id: string,
    action: LifecycleAction,
    officerId: string,
    reason?: string,
    narrowing?: ReviewInput['narrowing'],
  ): Promise<RequestRecord> {
    return this.act<RequestRecord>(
      journalAction,
      officerId,
      {},
      async ({ entry, notice, authorize }) => {
        const record = await this.requireRequest(id);
        entry.fields = (record.terms ?? record.request).grants.map((grant) => grant.field);
        authorize(record.request.organisation);
        const why = reason?.trim() ?? '';
        if (reasonRequired(action) && why === '')
          throw new RegistryError('REASON_REQUIRED', `to ${action} ${id} the officer must give a written reason (R11)`);
        entry.detail = why === '' ? action : `${action}: ${why}`;
        const to = nextStatus(record.status, action);
        if (to === null) {
          const last = record.history.at(-1);
          if (
            last?.status === record.status &&
            last.by.officer === officerId &&
            (last.reason ?? '') === why &&
            nextStatus(previousStatus(record), action) === record.status
          ) {
            return { value: record }; // the same step retried
          }
          throw new RegistryError('INVALID_TRANSITION', `cannot ${action} ${id}: it is ${record.status}`);
        }
        const change: StatusChange = { status: to, at: this.now(), by: { officer: officerId }, ...(why === '' ? {} : { reason: why }) };
        const set: Partial<StoredRequest> = { status: to, revision: record.revision + 1 };
        if (action === 'approve') {
          const portalProblem = selfServiceProblem(record.request);
          if (portalProblem !== null) throw new RegistryError('INVALID', portalProblem);
          set.terms = orInvalid(checkNarrowing(record.request, narrowing), 'approval');
          entry.fields = set.terms.grants.map((grant) => grant.field);
        }
        if (action === 'revoke') {
          // The system's certificates go with the agreement: a new agreement starts with a new certificate.
          notice.certificates = (await this.findSystem(record.request.system.id))?.certificateFingerprints ?? [];
          entry.detail += `; ${notice.certificates.length} certificate(s) of ${record.request.system.id} revoked`;
        }
        const claim = { _id: `${id}#${record.revision + 1}`, status: to, officer: officerId, at: change.at };
        const history = [...record.history, change];
        return {
          apply: async () => {
            if ((await insertOnce(this.store.transitions, claim)) === 'taken') {
              throw new RegistryError('CONFLICT', `${id} changed while officer ${officerId} was deciding: read it again`);
            }
            await this.store.requests.updateOne({ _id: id }, { $set: { ...set, history } });
            if (action === 'revoke')
              await this.revokeAll('system', record.request.system.id, notice.certificates, officerId, `agreement ${id} revoked: ${why}`);
            if (action === 'approve') {
              // Again at approval: a concurrent submission for the same system may have lost this id (FerretDB updates are not atomic).
              await this.store.systems.updateOne({ _id: record.request.system.id }, { $addToSet: { agreementIds: id } });
            }
            return { ...record, ...set, history };
          },
        };
      },
      { agreement: id },
    );
  }

  private async requireRequest(id: string): Promise<StoredRequest> {
    const record = await this.store.requests.findOne({ _id: id });
    if (record === null) throw new RegistryError('NOT_FOUND', `no connection request ${id}`);
    return record;
  }

  private requireAgreement(record: RequestRecord): Agreement {
    const agreement = toAgreement(record);
    if (agreement === null) throw new RegistryError('NOT_FOUND', `${record._id} is a ${record.status} request, not an agreement`);
    return agreement;
  }

  private view(record: RequestRecord): RequestView {
    const { revision: _revision, ...rest } = record as StoredRequest;
    return { ...rest, overdue: isOverdue(record, this.now()) };
  }
}

/** R10, R18: citizens read their own data through public-service portals, so only a portal may hold SelfService. */
function selfServiceProblem(request: RequestRecord['request']): string | null {
  if (!request.services.includes('SelfService') || request.organisation.category === 'PUBLIC_SERVICE_PORTAL') return null;
  return `only a PUBLIC_SERVICE_PORTAL may serve citizens their own data (SelfService, R10, R18), not a ${request.organisation.category}: approve it without SelfService by a new request`;
}

function previousStatus(record: RequestRecord): RequestStatus {
  return record.history.at(-2)?.status ?? 'submitted';
}
