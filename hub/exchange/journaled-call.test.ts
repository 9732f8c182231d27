import { Metadata, type ServerUnaryCall, type ServiceError, status } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { REASON_METADATA_KEY } from '../../proto/metadata.ts';
import type { JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { type CallObserver, journaledUnary } from './journaled-call.ts';
import { refuse } from './refusal.ts';

const observer: CallObserver = { observe: () => {}, failed: () => {} };

/** A server call with no TLS identity, as a unit test can make one. */
function fakeCall<Request>(request: Request): ServerUnaryCall<Request, unknown> {
  return { request, metadata: new Metadata(), getAuthContext: () => ({}) } as unknown as ServerUnaryCall<Request, unknown>;
}

function invoke(
  journal: JournalWriter,
  run: () => Promise<{ response: () => string }>,
): Promise<{ error: Partial<ServiceError> | null; response: unknown }> {
  const handler = journaledUnary<unknown, string>(
    { journal, observer, tracer: trace.getTracer('test'), service: 'dancu.exchange.v1.Exchange', act: 'exchange' },
    'Lookup',
    run,
  );
  return new Promise((resolve) =>
    handler(fakeCall({}) as ServerUnaryCall<unknown, string>, (error, response) =>
      resolve({ error: error as Partial<ServiceError> | null, response }),
    ),
  );
}

describe('a journaled call', () => {
  it('R35: the answer leaves only after its journal entry is written', async () => {
    const entries: JournalEntryInput[] = [];
    let answered = false;
    const journal: JournalWriter = {
      async append(entry) {
        expect(answered).toBe(false);
        entries.push(entry);
        return { chain: 'hub', sequence: 7, hash: 'h' };
      },
    };
    const outcome = await invoke(journal, async () => ({ response: () => ((answered = true), 'the data') }));
    expect(outcome).toEqual({ error: null, response: 'the data' });
    expect(entries).toMatchObject([{ act: 'exchange', action: 'Lookup', decision: 'allowed' }]);
  });

  it('R35: when the journal cannot be written, the hub answers UNAVAILABLE and no data', async () => {
    const broken: JournalWriter = { append: () => Promise.reject(new Error('store unreachable')) };
    const allowed = await invoke(broken, async () => ({ response: () => 'the data' }));
    expect(allowed.response).toBeUndefined();
    expect(allowed.error?.code).toBe(status.UNAVAILABLE);
    expect(allowed.error?.metadata?.get(REASON_METADATA_KEY)).toEqual(['JOURNAL_UNAVAILABLE']);
    // A refusal that cannot be journaled is not sent as such either: the caller learns only that the hub is unavailable.
    const refused = await invoke(broken, async () => refuse('FIELD_NOT_GRANTED', 'no'));
    expect(refused.error?.code).toBe(status.UNAVAILABLE);
  });

  it('R35: a refusal is journaled with its reason, like a success', async () => {
    const entries: JournalEntryInput[] = [];
    const journal: JournalWriter = { append: async (entry) => (entries.push(entry), { chain: 'hub', sequence: 1, hash: 'h' }) };
    const outcome = await invoke(journal, async () => refuse('PURPOSE_NOT_GRANTED', 'not in the agreement'));
    expect(outcome.error?.code).toBe(status.PERMISSION_DENIED);
    expect(outcome.error?.details).toBe('PURPOSE_NOT_GRANTED: not in the agreement');
    expect(entries).toMatchObject([{ decision: 'refused', reason: 'PURPOSE_NOT_GRANTED', detail: 'not in the agreement' }]);
  });
});
