// Every exchange is journaled — allowed or refused — and no data leaves the hub before its
// journal entry is durable. This wrapper is the one place that guarantees it for unary calls:
//   run the call (checks, enforcement, store read) → append the entry → only then answer.
// If the journal cannot be written the caller gets UNAVAILABLE and no data.

import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import { traceIdOf } from '../../telemetry/trace-context.ts';
import type { JournalEntryInput, JournalReceipt, JournalWriter } from '../journal/journal-entry.ts';
import { callerIdentity, type PeerIdentity } from '../pki/peer-identity.ts';
import { requestOfSandbox } from '../registry/agreement.ts';
import type { OfficerDirectory } from '../registry/officer-actions.ts';
import { CALL_ATTRIBUTES, CallTrace } from './call-trace.ts';
import type { CallContext } from './exchange-call.ts';
import { toServiceError } from './grpc-status.ts';
import { Refusal } from './refusal.ts';
import type { RefusalFlood } from './refusal-flood.ts';

/** What a call learned about itself, filled in as it goes, so a refusal at any step is journaled with it. */
export interface CallRecord {
  act: JournalEntryInput['act'];
  action: string;
  identity: PeerIdentity | null;
  citizens: string[];
  fields: string[];
  agreement?: string;
  purpose?: string;
  caseReference?: string;
  officer?: string;
  detail?: string;
  traceId?: string;
  /** The call's span and its steps' child spans. */
  trace: CallTrace;
}

export interface CallOutcome<Response> {
  /** The answer, without its journal sequence (added here once the entry is durable). */
  response: (receipt: JournalReceipt) => Response;
  /** What to journal besides the fields and citizens (counts, a report id); never data values. */
  detail?: string;
}

export interface CallObserver {
  /** After the call is answered or refused (metrics). */
  observe(action: string, decision: 'allowed' | 'refused', reason: string | undefined, seconds: number): void;
  /** When something unexpected broke (logs). */
  failed(action: string, error: unknown): void;
}

/** What every call of one gRPC service shares: where it journals, who observes it, how it is traced. */
export interface ServiceCalls {
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
  /** The fully qualified gRPC service, e.g. dancu.exchange.v1.Exchange. */
  service: string;
  act: JournalEntryInput['act'];
  /** Where refusals are journaled, if not straight to `journal`: per-certificate flood control. */
  refusals?: RefusalFlood;
  /** The registered officers operator calls are checked against (hub/registry/operator-call.ts). */
  officers?: OfficerDirectory;
}

export function journaledUnary<Request, Response>(
  calls: ServiceCalls,
  action: string,
  run: (request: Request, record: CallRecord) => Promise<CallOutcome<Response>>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const record = newCallRecord(calls, action, call);
    void (async () => {
      try {
        const outcome = await run(call.request, record);
        const receipt = await record.trace.step('journal.append', () =>
          calls.journal.append(entryOf(record, 'allowed', undefined, outcome.detail)),
        );
        finishCall(calls, record, 'allowed', undefined, started);
        callback(null, outcome.response(receipt));
      } catch (error) {
        const refusal = await journalRefusal(calls, record, error);
        finishCall(calls, record, 'refused', refusal instanceof Refusal ? refusal.reason : 'INTERNAL', started);
        callback(toServiceError(refusal));
      }
    })();
  };
}

/** Metrics and the end of the call's span, once its outcome is decided. */
export function finishCall(
  calls: ServiceCalls,
  record: CallRecord,
  decision: 'allowed' | 'refused',
  reason: string | undefined,
  started: bigint,
): void {
  calls.observer.observe(record.action, decision, reason, Number(process.hrtime.bigint() - started) / 1e9);
  record.trace.end(decision, reason, {
    ...(record.agreement ? { [CALL_ATTRIBUTES.agreement]: record.agreement } : {}),
    ...(record.purpose ? { [CALL_ATTRIBUTES.purpose]: record.purpose } : {}),
    ...(record.identity ? { [CALL_ATTRIBUTES.system]: record.identity.id } : {}),
    [CALL_ATTRIBUTES.fields]: record.fields.join(','),
  });
}

/** Puts the call's stated reasons on its record, so even a later refusal is journaled with them. */
export function recordContext(record: CallRecord, context: CallContext): CallContext {
  record.agreement = context.agreementId;
  // R34: a call under a sandbox agreement is a test run, journaled as such (allowed or refused).
  if (requestOfSandbox(context.agreementId) !== null) record.act = 'test-run';
  record.purpose = context.purpose;
  record.caseReference = context.caseReference;
  record.officer = context.officerId;
  return context;
}

export function newCallRecord(calls: ServiceCalls, action: string, call: { metadata: Metadata; getAuthContext?: unknown }): CallRecord {
  const callTrace = CallTrace.start(calls.tracer, calls.service, action, String(call.metadata.get('traceparent')[0] ?? '') || undefined);
  // With tracing disabled there is no span id; the caller's own trace id is still worth keeping.
  const traceId = callTrace.traceId ?? traceIdOf(String(call.metadata.get('traceparent')[0] ?? '') || undefined);
  return {
    act: calls.act,
    action,
    identity: callerIdentity(call as Parameters<typeof callerIdentity>[0]),
    citizens: [],
    fields: [],
    trace: callTrace,
    ...(traceId ? { traceId } : {}),
  };
}

/**
 * Journals a failed call and returns what to send the caller: the refusal itself, or —
 * when even the journal failed — UNAVAILABLE, since nothing may be answered unlogged.
 */
export async function journalRefusal(calls: ServiceCalls, record: CallRecord, error: unknown): Promise<unknown> {
  if (!(error instanceof Refusal)) calls.observer.failed(record.action, error);
  const reason = error instanceof Refusal ? error.reason : 'INTERNAL';
  try {
    const entry = entryOf(record, 'refused', reason, error instanceof Refusal ? error.message : undefined);
    const certificate = record.identity?.fingerprint256 ?? 'no-certificate';
    await record.trace.step('journal.append', () =>
      calls.refusals ? calls.refusals.append(certificate, entry) : calls.journal.append(entry),
    );
    return error;
  } catch (journalError) {
    calls.observer.failed(`${record.action} (journal)`, journalError);
    return new Refusal('JOURNAL_UNAVAILABLE', 'the exchange journal cannot be written, so the hub answers nothing; retry later');
  }
}

export function entryOf(
  record: Omit<CallRecord, 'trace'>,
  decision: 'allowed' | 'refused',
  reason?: string,
  detail?: string,
): JournalEntryInput {
  const { identity } = record;
  return {
    act: record.act,
    action: record.action,
    actor: {
      ...(identity ? { system: identity.id, organisation: identity.organisation } : {}),
      ...(record.officer && record.act !== 'self-service' ? { officer: record.officer } : {}),
      ...(record.act === 'self-service' && record.citizens[0] ? { citizen: record.citizens[0] } : {}),
    },
    citizens: record.citizens,
    fields: record.fields,
    ...(record.agreement ? { agreement: record.agreement } : {}),
    ...(record.purpose ? { purpose: record.purpose } : {}),
    ...(record.caseReference ? { caseReference: record.caseReference } : {}),
    decision,
    ...(reason ? { reason } : {}),
    ...((detail ?? record.detail) ? { detail: (detail ?? record.detail)!.slice(0, 500) } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
  };
}
