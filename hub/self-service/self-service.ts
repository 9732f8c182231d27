// Citizen self-service (R8, R39): through a citizen portal, a citizen reads their own record and
// sees who read it. The portal is a connected system of category PUBLIC_SERVICE_PORTAL (R10, R18)
// whose agreement grants the `SelfService` service for the purpose CITIZEN_SELF_SERVICE. The
// citizen is who the e-identification platform's signed assertion says (hub/eid/eid-assertion.ts),
// never who the portal says: the assertion's subject must be the personal id asked about. The
// same id + name + date-of-birth triple as Lookup must match too, and the portal's session
// reference is journaled as the case reference.

import type { Tracer } from '@opentelemetry/api';
import type {
  DataAccess,
  GetMyRecordNoticeRequest,
  GetMyRecordNoticeResponse,
  GetMyRecordRequest,
  GetMyRecordResponse,
  ListAccessToMyDataRequest,
  ListAccessToMyDataResponse,
  SelfServiceContext,
  SelfServiceServer,
} from '../../proto/gen/dancu/citizen/v1/self_service.ts';
import { CITIZEN_FIELDS, type CitizenField } from '../citizen/fields.ts';
import type { EidVerifier } from '../eid/eid-assertion.ts';
import type { AbuseGuard } from '../exchange/abuse-guard.ts';
import { project } from '../exchange/citizen-view.ts';
import type { Enforcement } from '../exchange/enforcement.ts';
import { type CallContext, type CitizenKey, checkCitizenKey, checkContext } from '../exchange/exchange-call.ts';
import { findCitizen } from '../exchange/find-citizen.ts';
import { asRefusal } from '../exchange/grpc-status.ts';
import {
  type CallObserver,
  type CallOutcome,
  type CallRecord,
  journaledUnary,
  recordContext,
  type ServiceCalls,
} from '../exchange/journaled-call.ts';
import { refuse } from '../exchange/refusal.ts';
import type { RefusalFlood } from '../exchange/refusal-flood.ts';
import { toWireField } from '../exchange/wire.ts';
import type { JournalEntry, JournalWriter } from '../journal/journal-entry.ts';
import type { PopulationStore } from '../store/population-store.ts';
import { renderForm01 } from '../written-requests/form-01.ts';

export const SELF_SERVICE_PURPOSE = 'CITIZEN_SELF_SERVICE';
const TWO_YEARS_MS = 2 * 365.25 * 24 * 3600 * 1000;

/** The journal, as the citizen's access log. */
export interface AccessLog {
  /** Exchange entries about the citizen since `since`, newest first, at most `limit`. */
  accessesTo(personalId: string, since: Date, limit: number): Promise<JournalEntry[]>;
}

export interface SelfServiceDependencies {
  enforcement: Enforcement;
  journal: JournalWriter;
  accessLog: AccessLog;
  store: PopulationStore;
  observer: CallObserver;
  tracer: Tracer;
  /** Per-certificate flood control of journaled refusals (hub/exchange/refusal-flood.ts). */
  refusals?: RefusalFlood;
  /** A portal guessing a citizen's name or date of birth is throttled like a consumer. */
  abuse: AbuseGuard;
  /** The e-identification platform's keys; without them every call is refused EID_UNAVAILABLE. */
  eid?: EidVerifier;
}

export const SELF_SERVICE = 'dancu.citizen.v1.SelfService';

export function selfService(deps: SelfServiceDependencies): SelfServiceServer {
  const { enforcement } = deps;
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: SELF_SERVICE,
    act: 'self-service',
    ...(deps.refusals ? { refusals: deps.refusals } : {}),
  };
  const unary = <Request, Response>(action: string, run: (request: Request, record: CallRecord) => Promise<CallOutcome<Response>>) =>
    journaledUnary<Request, Response>(calls, action, run);

  /** The portal is admitted like any consumer; the citizen must then match the record. */
  async function admitCitizen(
    record: CallRecord,
    context: SelfServiceContext | undefined,
    key: CitizenKey | undefined,
    fieldsOf: 'granted' | 'none',
  ) {
    const call = recordContext(record, portalContext(context));
    const citizen = checkCitizenKey(key);
    record.citizens = [citizen.personalId];
    const admitted = await record.trace.step('exchange.enforce', () => enforcement.admitSystem(record.identity, call.agreementId));
    if (admitted.agreement.organisation.category !== 'PUBLIC_SERVICE_PORTAL') {
      refuse(
        'SERVICE_NOT_GRANTED',
        `only a PUBLIC_SERVICE_PORTAL serves citizens their own data (R10, R18), not a ${admitted.agreement.organisation.category}`,
      );
    }
    await record.trace.step('eid.verify', () => verifyCitizen(deps.eid, context?.eidAssertion ?? '', citizen.personalId));
    const fields =
      fieldsOf === 'granted'
        ? CITIZEN_FIELDS.filter((field) =>
            admitted.agreement.grants.some((grant) => grant.field === field && grant.modes.includes('disclose')),
          )
        : [];
    record.fields = fields;
    await record.trace.step('exchange.enforce', () =>
      enforcement.authorize(record.identity, { service: 'SelfService', context: call, personalIds: [], fields, mode: 'disclose' }),
    );
    const document = await findCitizen(deps, record, call.agreementId, citizen);
    return { document, fields: fields as CitizenField[], citizen };
  }

  return {
    getMyRecord: unary<GetMyRecordRequest, GetMyRecordResponse>('GetMyRecord', async (request, record) => {
      const { document, fields, citizen } = await admitCitizen(record, request.context, request.citizen, 'granted');
      const disclosed = project(document, fields).map(toWireField);
      return {
        response: (receipt) => ({
          personalId: citizen.personalId,
          fields: disclosed,
          journalSequence: receipt.sequence,
          journalChain: receipt.chain,
        }),
      };
    }),

    getMyRecordNotice: unary<GetMyRecordNoticeRequest, GetMyRecordNoticeResponse>('GetMyRecordNotice', async (request, record) => {
      const { document, fields, citizen } = await admitCitizen(record, request.context, request.citizen, 'granted');
      const pdf = await record.trace.step('notice.render', () =>
        renderForm01({
          reference: request.context?.sessionReference ?? '',
          requester: String(document.fields.fullName?.value ?? citizen.fullName),
          issuedAt: new Date(),
          issuedBy: record.identity?.organisation ?? '',
          citizens: [{ personalId: citizen.personalId, fields: project(document, fields) }],
        }),
      );
      return { response: (receipt) => ({ pdf, journalSequence: receipt.sequence, journalChain: receipt.chain }), detail: 'Form 01 notice' };
    }),

    listAccessToMyData: unary<ListAccessToMyDataRequest, ListAccessToMyDataResponse>('ListAccessToMyData', async (request, record) => {
      const { citizen } = await admitCitizen(record, request.context, request.citizen, 'none');
      const limit = request.limit === 0 ? 100 : request.limit;
      if (limit > 1000) refuse('INVALID_REQUEST', 'limit: at most 1000');
      const since = request.since ?? new Date(Date.now() - TWO_YEARS_MS);
      const entries = await record.trace.step('journal.query', () => deps.accessLog.accessesTo(citizen.personalId, since, limit));
      const accesses = entries.map(toDataAccess);
      return {
        response: (receipt) => ({ accesses, journalSequence: receipt.sequence, journalChain: receipt.chain }),
        detail: `${accesses.length} accesses listed`,
      };
    }),
  };
}

/** The citizen is the one the e-identification platform signed for, or the call is refused. */
async function verifyCitizen(eid: EidVerifier | undefined, assertion: string, personalId: string): Promise<void> {
  if (eid === undefined)
    refuse('EID_UNAVAILABLE', 'this hub has no e-identification platform configured (DANCU_EID_JWKS): citizens cannot be authenticated');
  try {
    await eid.verify(assertion, personalId);
  } catch (error) {
    throw asRefusal(error);
  }
}

function portalContext(context: SelfServiceContext | undefined): CallContext {
  return checkContext({
    agreementId: context?.agreementId ?? '',
    purpose: SELF_SERVICE_PURPOSE,
    caseReference: context?.sessionReference ?? '',
    officerId: 'citizen',
  });
}

function toDataAccess(entry: JournalEntry): DataAccess {
  return {
    at: entry.at,
    organisation: entry.actor.organisation ?? '',
    system: entry.actor.system ?? '',
    service: entry.action,
    fields: entry.fields,
    purpose: entry.purpose ?? '',
    caseReference: entry.caseReference ?? '',
    decision: entry.decision,
    reason: entry.reason ?? '',
  };
}
