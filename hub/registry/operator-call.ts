// Calls from the agency's operators (Registry, Operations, WrittenRequests, Support): only an
// operator certificate (`dancu pki issue <officer> --operator`), unexpired, not revoked and
// recorded for a registered officer, gets through; the officer id is its CN. The act the call
// does is checked against the officer's competence (R17, hub/registry/officer-competence.ts):
// here for acts about no requester, by the Registry for the others. A caller turned away here is
// journaled; what the handler itself refuses is mapped by `asRefusal` (grpc-status.ts) and
// journaled by the handler's own domain (the Registry journals every action, naming the officer).
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { asRefusal, toServiceError } from '../exchange/grpc-status.ts';
import { type CallRecord, finishCall, journalRefusal, newCallRecord, type ServiceCalls } from '../exchange/journaled-call.ts';
import { Refusal, refuse } from '../exchange/refusal.ts';
import { needsRequester, type OfficerAct } from './officer-competence.ts';
import type { StoredOfficer } from './registry-store.ts';

/**
 * Admits an operator certificate for `act`: unexpired, recorded for a registered officer and not
 * revoked (read on every call, never cached: operator calls are few, and a revocation holds at
 * once), the officer competent for the act when it is about no requester. Names the officer on
 * the call's journal entry and trace once authenticated (so a refusal for competence names them),
 * and returns them.
 */
export async function admitOperator(calls: ServiceCalls, record: CallRecord, act: OfficerAct): Promise<StoredOfficer> {
  const identity = record.identity;
  if (!identity) refuse('CERTIFICATE_MISSING', 'present the operator certificate issued by `dancu pki issue <officer> --operator`');
  if (identity.kind !== 'operator')
    refuse('NOT_AN_OPERATOR', `${identity.id} presented a ${identity.kind} certificate; this service is for the agency's officers`);
  if (identity.notAfter && identity.notAfter <= new Date())
    refuse('CERTIFICATE_EXPIRED', `the operator certificate of ${identity.id} expired ${identity.notAfter.toISOString()}`);
  if (!calls.officers) refuse('NOT_AN_OPERATOR', 'this hub has no officer registry to check operators against');
  const authenticated = await calls.officers.authenticateOfficer(identity.id, identity.fingerprint256);
  if ('refused' in authenticated) refuse(authenticated.refused, authenticated.message);
  record.officer = identity.id;
  if (!needsRequester(act)) {
    try {
      calls.officers.checkCompetence(act, authenticated.officer);
    } catch (error) {
      refuse('NOT_COMPETENT', error instanceof Error ? error.message : String(error));
    }
  }
  return authenticated.officer;
}

/** A unary call only an officer competent for `act` may make (see `admitOperator`). */
export function operatorCall<Request, Response>(
  calls: ServiceCalls,
  action: string,
  act: OfficerAct,
  run: (request: Request, officer: StoredOfficer) => Promise<Response>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return authenticatedCall<Request, Response, StoredOfficer>(calls, action, (record) => admitOperator(calls, record, act), run);
}

/**
 * A unary call that `admit`s its caller first (refusing with a Refusal), then runs. A caller
 * turned away is journaled here; what `run` refuses is mapped by `asRefusal`, journaled by the
 * handler's own domain, and only observed here.
 */
export function authenticatedCall<Request, Response, Caller>(
  calls: ServiceCalls,
  action: string,
  admit: (record: CallRecord) => Promise<Caller>,
  run: (request: Request, caller: Caller) => Promise<Response>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const record = newCallRecord(calls, action, call);
    void (async () => {
      try {
        const caller = await admit(record);
        const response = await record.trace.step('call.act', () => run(call.request, caller));
        finishCall(calls, record, 'allowed', undefined, started);
        callback(null, response);
      } catch (error) {
        const refusal = asRefusal(error);
        const sent = error instanceof Refusal ? await journalRefusal(calls, record, error) : refusal;
        if (!(refusal instanceof Refusal)) calls.observer.failed(action, error);
        finishCall(calls, record, 'refused', sent instanceof Refusal ? sent.reason : 'INTERNAL', started);
        callback(toServiceError(sent));
      }
    })();
  };
}
