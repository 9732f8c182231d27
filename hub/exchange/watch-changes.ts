// WatchChanges: a server stream of changes to the fields an agreement discloses, from a cursor.
//
// The stream follows dancu.changes.v1 from the caller's cursor (a tail of its own that never
// commits: the caller owns its position). Each change is journaled before it is written, like
// any other disclosure. Every `recheckMs` the stream re-runs the agreement and consent checks;
// the first that fails ends it with that refusal (a suspended or revoked agreement, a revoked
// consent), journaled.
import { once } from 'node:events';
import type { Kafka } from 'kafkajs';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Change, WatchChangesRequest } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { CHANGES_TOPIC } from '../../kafka/topics.ts';
import { PositionExpired, tailTopic, type TopicPositions, type TopicTail } from '../../kafka/transport.ts';
import type { CitizenChange } from '../citizen/merge.ts';
import { isCitizenField, type CitizenField } from '../citizen/fields.ts';
import { decodeCursor, encodeCursor } from './change-cursor.ts';
import type { Enforcement } from './enforcement.ts';
import { checkContext, checkCount, checkPersonalIdArgument, LIMITS } from './exchange-call.ts';
import { toServiceError } from './grpc-status.ts';
import { CALL_ATTRIBUTES } from './call-trace.ts';
import { entryOf, finishCall, journalRefusal, newCallRecord, recordContext, type ServiceCalls } from './journaled-call.ts';
import { refuse, Refusal } from './refusal.ts';
import { toWireField } from './wire.ts';

/** The change feed, as WatchChanges needs it. */
export interface ChangeFeed {
  follow(from: TopicPositions | null, onChange: (change: CitizenChange, cursorAfter: TopicPositions) => Promise<void>): Promise<TopicTail>;
}

export function kafkaChangeFeed(kafka: Kafka): ChangeFeed {
  return {
    async follow(from, onChange) {
      return tailTopic(kafka, CHANGES_TOPIC, from, async (record, positionsAfter) => {
        const change = parseChange(record.value);
        if (change) await onChange(change, positionsAfter);
      });
    },
  };
}

function parseChange(value: Buffer | null): CitizenChange | null {
  if (!value) return null;
  try {
    const change = JSON.parse(value.toString('utf8')) as CitizenChange;
    return typeof change.personalId === 'string' && isCitizenField(change.field) ? change : null;
  } catch {
    return null;
  }
}

/** How long an open stream stays silent before it sends a position marker. */
const POSITION_MARKER_MS = 15_000;

export interface WatchDependencies {
  enforcement: Enforcement;
  changes: ChangeFeed;
  /** The Exchange service's journal, observer and tracer. */
  calls: ServiceCalls;
  /** How often an open stream re-checks its agreement and consents (default 2 s). */
  recheckMs?: number;
}

export function watchChanges(deps: WatchDependencies): (call: ServerWritableStream<WatchChangesRequest, Change>) => void {
  return (call) => void watch(deps, call);
}

async function watch(deps: WatchDependencies, call: ServerWritableStream<WatchChangesRequest, Change>): Promise<void> {
  const { enforcement, calls } = deps;
  const journal = calls.journal;
  const record = newCallRecord(calls, 'WatchChanges', call);
  const started = process.hrtime.bigint();
  let tail: TopicTail | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markers: NodeJS.Timeout | undefined;
  let ended = false;
  const end = async (error: unknown) => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    clearInterval(markers);
    await tail?.stop();
    const sent = await journalRefusal(calls, record, error);
    if (opened) record.trace.span.addEvent('stream ended', { [CALL_ATTRIBUTES.reason]: sent instanceof Refusal ? sent.reason : 'INTERNAL' });
    else finishCall(calls, record, 'refused', sent instanceof Refusal ? sent.reason : 'INTERNAL', started);
    call.emit('error', toServiceError(sent));
  };
  let opened = false;
  call.on('cancelled', () => {
    ended = true;
    clearInterval(timer);
    clearInterval(markers);
    void tail?.stop();
  });

  try {
    const request = call.request;
    const context = recordContext(record, checkContext(request.context));
    const from = decodeCursor(request.cursor ?? '');
    if (request.personalIds.length > 0) checkCount(request.personalIds.length, LIMITS.watchedCitizens, 'personal_ids');
    const watched = new Set(request.personalIds.map((id, index) => checkPersonalIdArgument(id, `personal_ids[${index}]`)));
    record.citizens = [...watched];

    const admitted = await record.trace.step('exchange.enforce', () => enforcement.admitSystem(record.identity, context.agreementId));
    const fields = admitted.agreement.grants.filter((grant) => grant.modes.includes('disclose')).map((grant) => grant.field as CitizenField);
    record.fields = fields;
    if (admitted.agreement.consentRequired && watched.size === 0) {
      refuse('INVALID_REQUEST', `agreement ${context.agreementId} needs each citizen's consent: name the citizens you watch in personal_ids`);
    }
    await record.trace.step('exchange.enforce', () => enforcement.authorize(record.identity, { service: 'WatchChanges', context, personalIds: [...watched], fields, mode: 'disclose' }));
    await record.trace.step('journal.append', () => journal.append(entryOf(record, 'allowed', undefined, 'stream opened')));
    // The call's span covers the opening; each delivered change is journaled, not traced.
    opened = true;
    finishCall(calls, record, 'allowed', undefined, started);

    const disclosed = new Set<string>(fields);
    let lastWrite = Date.now();
    const write = async (message: Change) => {
      lastWrite = Date.now();
      if (!call.write(message)) await once(call, 'drain');
    };
    tail = await deps.changes.follow(from, async (change, cursorAfter) => {
      if (ended || !disclosed.has(change.field) || (watched.size > 0 && !watched.has(change.personalId))) return;
      // Journaled before it leaves, one entry per disclosed change.
      await journal.append({ ...entryOf({ ...record, citizens: [change.personalId], fields: [change.field] }, 'allowed'), detail: `change ${change.changeId}` });
      const message: Change = {
        cursor: encodeCursor(cursorAfter),
        changeId: change.changeId,
        personalId: change.personalId,
        value: toWireField({ field: change.field, value: change.value ?? null, source: change.source, effectiveAt: new Date(change.effectiveAt), authoritative: change.authoritative }),
      };
      await write(message);
    });
    tail.done.catch((error: unknown) => void end(error));
    // A position marker (a Change with only a cursor) at once, so a consumer can store where it
    // started before any change arrives, and again whenever the stream has been quiet, so the
    // cursor moves past changes this caller may not see and a silent hub is noticed.
    const following = tail;
    await write({ cursor: encodeCursor(following.positions()), changeId: '', personalId: '' });
    markers = setInterval(() => {
      if (!ended && Date.now() - lastWrite >= POSITION_MARKER_MS) void write({ cursor: encodeCursor(following.positions()), changeId: '', personalId: '' });
    }, POSITION_MARKER_MS / 3);

    timer = setInterval(() => {
      void (async () => {
        try {
          await enforcement.admitSystem(record.identity, context.agreementId);
          if (admitted.agreement.consentRequired) await enforcement.requireConsent(admitted.agreement, [...watched], 'CONSENT_REVOKED');
        } catch (error) {
          await end(error);
        }
      })();
    }, deps.recheckMs ?? 2_000);
  } catch (error) {
    if (error instanceof PositionExpired) {
      await end(new Refusal('CURSOR_EXPIRED', `the cursor points at changes the hub no longer holds (${error.message}); resynchronise with BatchLookup, then watch from an empty cursor`));
    } else {
      await end(error);
    }
  }
}
