// WatchChanges: a server stream of changes to the fields an agreement discloses, from a cursor.
//
// The stream follows dancu.changes.v1 from the caller's cursor (a tail of its own that never
// commits: the caller owns its position). The cursor is the hub's, signed and bound to the
// agreement (change-cursor.ts). A change the hub published before the agreement's validity began,
// or before the citizen's consent (for requesters that need it), is never delivered, whatever
// the cursor. Each change is journaled before it is written, like any other disclosure. Every
// `recheckMs`, and at once on every invalidation (a registry change on any hub instance), the
// stream re-runs the certificate, agreement and consent checks; the first that fails ends it with
// that refusal (a revoked or expired certificate, a suspended or revoked agreement, a revoked
// consent), journaled. Opening costs no quota; each change delivered costs one unit, and the
// stream ends QUOTA_EXCEEDED when the day's units are spent.
//
// Each stream holds a Kafka consumer and a slot of its agreement's (stream-slots.ts). Whichever
// way it ends — the client cancels (during set-up too), a check fails, the feed breaks — the
// consumer is stopped, then the slot given back, exactly once.
import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Kafka } from 'kafkajs';
import type { RawRecord } from '../../kafka/records.ts';
import { PositionExpired, type TopicPositions, type TopicTail, tailTopic } from '../../kafka/topic-tail.ts';
import { CHANGES_TOPIC } from '../../kafka/topics.ts';
import type { Change, WatchChangesRequest } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import type { CitizenChange } from '../../schemas/types.ts';
import { type CitizenField, isCitizenField } from '../citizen/fields.ts';
import { CALL_ATTRIBUTES } from './call-trace.ts';
import type { CursorCodec } from './change-cursor.ts';
import type { Enforcement } from './enforcement.ts';
import { checkContext, checkCount, checkPersonalIdArgument, LIMITS } from './exchange-call.ts';
import { toServiceError } from './grpc-status.ts';
import { entryOf, finishCall, journalRefusal, newCallRecord, recordContext, type ServiceCalls } from './journaled-call.ts';
import { Refusal, refuse } from './refusal.ts';
import type { StreamSlots } from './stream-slots.ts';
import { toWireField } from './wire.ts';

/** The change feed, as WatchChanges needs it: each change with when the hub published it. */
export interface ChangeFeed {
  /** `agreementId` names the Kafka consumer group (`dancu-tail-<agreement>-<uuid>`), so operators see whose stream holds it. */
  follow(
    agreementId: string,
    from: TopicPositions | null,
    onChange: (change: CitizenChange, publishedAt: Date, cursorAfter: TopicPositions) => Promise<void>,
  ): Promise<TopicTail>;
}

export function kafkaChangeFeed(kafka: Kafka): ChangeFeed {
  return {
    async follow(agreementId, from, onChange) {
      const tail = async (record: RawRecord, positionsAfter: TopicPositions) => {
        const change = parseChange(record.value);
        if (change) await onChange(change, new Date(Number(record.timestamp)), positionsAfter);
      };
      return tailTopic(kafka, CHANGES_TOPIC, from, tail, agreementId);
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
  cursors: CursorCodec;
  streams: StreamSlots;
  /** The Exchange service's journal, observer and tracer. */
  calls: ServiceCalls;
  /** How often an open stream re-checks its agreement and consents (default 2 s). */
  recheckMs?: number;
}

export function watchChanges(deps: WatchDependencies): (call: ServerWritableStream<WatchChangesRequest, Change>) => void {
  return (call) => void watch(deps, call);
}

async function watch(deps: WatchDependencies, call: ServerWritableStream<WatchChangesRequest, Change>): Promise<void> {
  const { enforcement, calls, cursors } = deps;
  const journal = calls.journal;
  const record = newCallRecord(calls, 'WatchChanges', call);
  const started = process.hrtime.bigint();
  let following: Promise<TopicTail> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markers: NodeJS.Timeout | undefined;
  let releaseSlot: (() => void) | undefined;
  let stopRechecks: (() => void) | undefined;
  let ended = false;
  let opened = false;
  // Lets go of everything the stream holds, once: a cancel during set-up waits for the
  // consumer being created, then stops it.
  let closing: Promise<void> | undefined;
  // Ends a wait for the client to drain: a cancelled client never will, and a change handler
  // stuck there would keep the Kafka consumer from stopping.
  const closed = new AbortController();
  const close = () =>
    (closing ??= (async () => {
      ended = true;
      closed.abort();
      clearInterval(timer);
      clearInterval(markers);
      stopRechecks?.();
      try {
        const tail = await following?.catch(() => undefined);
        await tail?.stop();
      } finally {
        releaseSlot?.();
      }
    })());
  const end = async (error: unknown) => {
    if (ended) return;
    await close();
    const sent = await journalRefusal(calls, record, error);
    if (opened)
      record.trace.span.addEvent('stream ended', { [CALL_ATTRIBUTES.reason]: sent instanceof Refusal ? sent.reason : 'INTERNAL' });
    else finishCall(calls, record, 'refused', sent instanceof Refusal ? sent.reason : 'INTERNAL', started);
    call.emit('error', toServiceError(sent));
  };
  call.on('cancelled', () => void close());

  try {
    const request = call.request;
    const context = recordContext(record, checkContext(request.context));
    const from = cursors.decode(request.cursor ?? '', context.agreementId);
    if (request.personalIds.length > 0) checkCount(request.personalIds.length, LIMITS.watchedCitizens, 'personal_ids');
    const watched = new Set(request.personalIds.map((id, index) => checkPersonalIdArgument(id, `personal_ids[${index}]`)));
    record.citizens = [...watched];

    const admitted = await record.trace.step('exchange.enforce', () => enforcement.admitSystem(record.identity, context.agreementId));
    const { agreement } = admitted;
    const fields = agreement.grants.filter((grant) => grant.modes.includes('disclose')).map((grant) => grant.field as CitizenField);
    record.fields = fields;
    if (agreement.consentRequired && watched.size === 0) {
      refuse(
        'INVALID_REQUEST',
        `agreement ${context.agreementId} needs each citizen's consent: name the citizens you watch in personal_ids`,
      );
    }
    await record.trace.step('exchange.enforce', () =>
      enforcement.authorize(record.identity, { service: 'WatchChanges', context, personalIds: [...watched], fields, mode: 'disclose' }),
    );
    let consentedSince = agreement.consentRequired
      ? await enforcement.requireConsent(agreement, [...watched], 'CONSENT_MISSING')
      : new Map<string, Date>();
    if (ended) return; // cancelled while being admitted
    releaseSlot = deps.streams.take(agreement.id);
    await record.trace.step('journal.append', () => journal.append(entryOf(record, 'allowed', undefined, 'stream opened')));
    // The call's span covers the opening; each delivered change is journaled, not traced.
    opened = true;
    finishCall(calls, record, 'allowed', undefined, started);

    const disclosed = new Set<string>(fields);
    const validFrom = new Date(agreement.validity.from);
    /** Published within the agreement's validity and, where consent is needed, after the citizen gave it. */
    const inScope = (personalId: string, publishedAt: Date) =>
      publishedAt >= validFrom && (!agreement.consentRequired || publishedAt >= (consentedSince.get(personalId) ?? new Date(8.64e15)));
    let lastWrite = Date.now();
    const write = async (message: Change) => {
      lastWrite = Date.now();
      if (!call.write(message)) await once(call, 'drain', { signal: closed.signal }).catch(() => undefined);
    };
    if (ended) return;
    following = deps.changes.follow(agreement.id, from, async (change, publishedAt, cursorAfter) => {
      if (
        ended ||
        !disclosed.has(change.field) ||
        (watched.size > 0 && !watched.has(change.personalId)) ||
        !inScope(change.personalId, publishedAt)
      )
        return;
      // One unit of the daily quota per change delivered (R23); past the limit the stream ends.
      try {
        await enforcement.takeUnits(agreement, 'WatchChanges', 1);
      } catch (error) {
        void end(error);
        return;
      }
      // Journaled before it leaves, one entry per disclosed change.
      await journal.append({
        ...entryOf({ ...record, citizens: [change.personalId], fields: [change.field] }, 'allowed'),
        detail: `change ${change.changeId}`,
      });
      const message: Change = {
        cursor: cursors.encode(agreement.id, cursorAfter),
        changeId: change.changeId,
        personalId: change.personalId,
        value: toWireField({
          field: change.field,
          value: change.value ?? null,
          source: change.source,
          effectiveAt: new Date(change.effectiveAt),
          authoritative: change.authoritative,
        }),
      };
      await write(message);
    });
    const tail = await following;
    if (ended) return; // cancelled during set-up: close() stops the consumer just created
    tail.done.catch((error: unknown) => void end(error));
    // A position marker (a Change with only a cursor) at once, so a consumer can store where it
    // started before any change arrives, and again whenever the stream has been quiet, so the
    // cursor moves past changes this caller may not see and a silent hub is noticed.
    await write({ cursor: cursors.encode(agreement.id, tail.positions()), changeId: '', personalId: '' });
    markers = setInterval(() => {
      if (!ended && Date.now() - lastWrite >= POSITION_MARKER_MS)
        void write({ cursor: cursors.encode(agreement.id, tail.positions()), changeId: '', personalId: '' });
    }, POSITION_MARKER_MS / 3);

    const recheck = () =>
      void (async () => {
        try {
          await enforcement.admitSystem(record.identity, context.agreementId);
          if (agreement.consentRequired) consentedSince = await enforcement.requireConsent(agreement, [...watched], 'CONSENT_REVOKED');
        } catch (error) {
          await end(error);
        }
      })();
    timer = setInterval(recheck, deps.recheckMs ?? 2_000);
    stopRechecks = enforcement.onInvalidate(recheck);
    if (ended) stopRechecks();
  } catch (error) {
    if (error instanceof PositionExpired) {
      await end(
        new Refusal(
          'CURSOR_EXPIRED',
          `the cursor points at changes the hub no longer holds (${error.message}); resynchronise with BatchLookup, then watch from an empty cursor`,
        ),
      );
    } else {
      await end(error);
    }
  }
}
