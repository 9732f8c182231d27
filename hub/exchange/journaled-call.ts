// Every exchange is journaled — allowed or refused — and no data leaves the hub before its
// journal entry is durable. This wrapper is the one place that guarantees it for unary calls:
//   run the call (checks, enforcement, store read) → append the entry → only then answer.
// If the journal cannot be written the caller gets UNAVAILABLE and no data.
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { traceIdOf } from '../../kafka/trace-context.ts';
import type { JournalEntryInput, JournalReceipt, JournalWriter } from '../journal/journal-entry.ts';
import { callerIdentity, type PeerIdentity } from '../pki/peer-identity.ts';
import type { CallContext } from './exchange-call.ts';
import { toServiceError } from './grpc-status.ts';
import { Refusal } from './refusal.ts';

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
}

export interface CallOutcome<Response> {
  /** The answer, without its journal sequence (added here once the entry is durable). */
  response: (receipt: JournalReceipt) => Response;
  /** A call can answer normally yet be recorded as refused (Lookup's NOT_FOUND is an error instead). */
  detail?: string;
}

export interface CallObserver {
  /** After the call is answered or refused (metrics). */
  observe(action: string, decision: 'allowed' | 'refused', reason: string | undefined, seconds: number): void;
  /** When something unexpected broke (logs). */
  failed(action: string, error: unknown): void;
}

export function journaledUnary<Request, Response>(
  journal: JournalWriter,
  observer: CallObserver,
  act: CallRecord['act'],
  action: string,
  run: (request: Request, record: CallRecord) => Promise<CallOutcome<Response>>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const record = newCallRecord(act, action, call);
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    void (async () => {
      try {
        const outcome = await run(call.request, record);
        const receipt = await journal.append(entryOf(record, 'allowed', undefined, outcome.detail));
        observer.observe(action, 'allowed', undefined, seconds());
        callback(null, outcome.response(receipt));
      } catch (error) {
        const refusal = await journalRefusal(journal, record, error, observer);
        observer.observe(action, 'refused', refusal instanceof Refusal ? refusal.reason : 'INTERNAL', seconds());
        callback(toServiceError(refusal));
      }
    })();
  };
}

/** Puts the call's stated reasons on its record, so even a later refusal is journaled with them. */
export function recordContext(record: CallRecord, context: CallContext): CallContext {
  record.agreement = context.agreementId;
  record.purpose = context.purpose;
  record.caseReference = context.caseReference;
  record.officer = context.officerId;
  return context;
}

export function newCallRecord(act: CallRecord['act'], action: string, call: { metadata: Metadata; getAuthContext?: unknown }): CallRecord {
  const traceId = traceIdOf(String(call.metadata.get('traceparent')[0] ?? '') || undefined);
  return {
    act,
    action,
    identity: callerIdentity(call as Parameters<typeof callerIdentity>[0]),
    citizens: [],
    fields: [],
    ...(traceId ? { traceId } : {}),
  };
}

/**
 * Journals a failed call and returns what to send the caller: the refusal itself, or —
 * when even the journal failed — UNAVAILABLE, since nothing may be answered unlogged.
 */
export async function journalRefusal(journal: JournalWriter, record: CallRecord, error: unknown, observer: CallObserver): Promise<unknown> {
  if (!(error instanceof Refusal)) observer.failed(record.action, error);
  const reason = error instanceof Refusal ? error.reason : 'INTERNAL';
  try {
    await journal.append(entryOf(record, 'refused', reason, error instanceof Refusal ? error.message : undefined));
    return error;
  } catch (journalError) {
    observer.failed(`${record.action} (journal)`, journalError);
    return new Refusal('JOURNAL_UNAVAILABLE', 'the exchange journal cannot be written, so the hub answers nothing; retry later');
  }
}

export function entryOf(record: CallRecord, decision: 'allowed' | 'refused', reason?: string, detail?: string): JournalEntryInput {
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
