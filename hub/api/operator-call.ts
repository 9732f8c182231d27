// Calls from the agency's operators (Registry, Operations, Support): only an operator certificate
// (`dancu pki issue <officer> --operator`), unexpired and not revoked, gets through; the officer
// id is its CN. A caller turned away here is journaled; what the handler itself refuses is mapped
// by `mapError` and journaled by the handler's own domain (the Registry journals every action).
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { toServiceError } from '../exchange/grpc-status.ts';
import { finishCall, journalRefusal, newCallRecord, type CallRecord, type ServiceCalls } from '../exchange/journaled-call.ts';
import type { PeerIdentity } from '../pki/peer-identity.ts';
import { refuse, Refusal } from '../exchange/refusal.ts';

/** Admits an operator certificate, unexpired and not revoked (read on every call, never cached); returns the officer id. */
export async function admitOperator(calls: ServiceCalls, identity: PeerIdentity | null): Promise<string> {
  if (!identity) refuse('CERTIFICATE_MISSING', 'present the operator certificate issued by `dancu pki issue <officer> --operator`');
  if (identity.kind !== 'operator') refuse('NOT_AN_OPERATOR', `${identity.id} presented a ${identity.kind} certificate; this service is for the agency's officers`);
  // Read on every call, never cached: operator calls are few, and a revocation holds at once.
  if (identity.notAfter && identity.notAfter <= new Date()) refuse('CERTIFICATE_EXPIRED', `the operator certificate of ${identity.id} expired ${identity.notAfter.toISOString()}`);
  if (await calls.certificates?.isCertificateRevoked(identity.fingerprint256)) refuse('CERTIFICATE_REVOKED', `the operator certificate ${identity.fingerprint256} of ${identity.id} has been revoked`);
  return identity.id;
}

export function operatorCall<Request, Response>(
  calls: ServiceCalls,
  action: string,
  run: (request: Request, officerId: string) => Promise<Response>,
  mapError: (error: unknown) => unknown = (error) => error,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return authenticatedCall<Request, Response, string>(
    calls,
    action,
    async (record) => {
      const officerId = await admitOperator(calls, record.identity);
      record.officer = officerId;
      return officerId;
    },
    run,
    mapError,
  );
}

/**
 * A unary call that `admit`s its caller first (refusing with a Refusal), then runs. A caller
 * turned away is journaled here; what `run` refuses is mapped by `mapError`, journaled by the
 * handler's own domain, and only observed here.
 */
export function authenticatedCall<Request, Response, Caller>(
  calls: ServiceCalls,
  action: string,
  admit: (record: CallRecord) => Promise<Caller>,
  run: (request: Request, caller: Caller) => Promise<Response>,
  mapError: (error: unknown) => unknown = (error) => error,
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
        const refusal = mapError(error);
        const sent = error instanceof Refusal ? await journalRefusal(calls, record, error) : refusal;
        if (!(refusal instanceof Refusal)) calls.observer.failed(action, error);
        finishCall(calls, record, 'refused', sent instanceof Refusal ? sent.reason : 'INTERNAL', started);
        callback(toServiceError(sent));
      }
    })();
  };
}
