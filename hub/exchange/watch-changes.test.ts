import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { TopicPositions, TopicTail } from '../../kafka/topic-tail.ts';
import type { Change, WatchChangesRequest } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import type { CitizenChange } from '../../schemas/types.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { CursorCodec } from './change-cursor.ts';
import type { Enforcement } from './enforcement.ts';
import { StreamSlots } from './stream-slots.ts';
import { type ChangeFeed, watchChanges } from './watch-changes.ts';

const DAY = 86_400_000;
const consentedAt = new Date('2026-11-20T00:00:00Z');
const agreement = {
  id: 'agr-1',
  consentRequired: true,
  grants: [{ field: 'permanentAddress', modes: ['disclose'] }],
  validity: { from: new Date('2026-11-01T00:00:00Z'), until: new Date('2027-11-01T00:00:00Z') },
};
const citizen = '001090000001';

/** Admits everything and has quota units to spare; the consent on record is from `consentedAt`. */
const enforcement = {
  admitSystem: async () => ({ agreement, systemId: 's', organisationId: 'o' }),
  authorize: async () => ({ agreement, systemId: 's', organisationId: 'o', fields: ['permanentAddress'] }),
  requireConsent: async () => new Map([[citizen, consentedAt]]),
  onInvalidate: () => () => {},
  takeUnits: async () => undefined,
} as unknown as Enforcement;

const journal: JournalWriter = { append: async () => ({ chain: 'hub', sequence: 1, hash: 'h' }) };

/** A change feed whose set-up the test finishes by hand, and whose changes it pushes. */
function manualFeed() {
  let finishSetUp: (tail: TopicTail) => void = () => {};
  let push: (change: CitizenChange, publishedAt: Date) => Promise<void> = async () => {};
  let stops = 0;
  let onFollow: () => void = () => {};
  const followed = new Promise<void>((resolve) => (onFollow = resolve));
  const feed: ChangeFeed = {
    follow(_agreement, _from, onChange) {
      push = (change, publishedAt) => onChange(change, publishedAt, new Map([[0, '1']]));
      onFollow();
      return new Promise((resolve) => (finishSetUp = resolve));
    },
  };
  const tail: TopicTail = {
    start: new Map(),
    done: new Promise(() => {}),
    positions: (): TopicPositions => new Map([[0, '0']]),
    stop: async () => void (stops += 1),
  };
  return {
    feed,
    followed,
    finishSetUp: () => finishSetUp(tail),
    push: (change: CitizenChange, at: Date) => push(change, at),
    stops: () => stops,
  };
}

function openStream(feed: ChangeFeed, streams: StreamSlots) {
  const call = Object.assign(new EventEmitter(), {
    request: {
      context: { agreementId: 'agr-1', purpose: 'EKYC_ACCOUNT_OPENING', caseReference: 'c-1', officerId: 'o-1' },
      cursor: '',
      personalIds: [citizen],
    } satisfies WatchChangesRequest,
    metadata: new Metadata(),
    getAuthContext: () => ({}),
    written: [] as Change[],
    write(message: Change) {
      this.written.push(message);
      return true;
    },
  });
  const calls = {
    journal,
    observer: { observe: () => {}, failed: () => {} },
    tracer: trace.getTracer('test'),
    service: 'dancu.exchange.v1.Exchange',
    act: 'exchange' as const,
  };
  watchChanges({
    enforcement,
    changes: feed,
    cursors: CursorCodec.forHub(generateKeyPairSync('ed25519').privateKey),
    streams,
    calls,
    recheckMs: 3_600_000,
  })(call as unknown as ServerWritableStream<WatchChangesRequest, Change>);
  return call;
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never: ${what}`);
}

const change = (n: number): CitizenChange =>
  ({
    changeId: `ev-${n}:permanentAddress`,
    personalId: citizen,
    field: 'permanentAddress',
    value: { province: '01' },
    previous: null,
    source: 'residence',
    eventId: `ev-${n}`,
    eventType: 'permanent-residence-registered',
    effectiveAt: '2026-01-01T00:00:00Z',
    recordedAt: '2026-01-01T00:00:00Z',
    authoritative: true,
  }) as CitizenChange;

describe('WatchChanges', () => {
  it('a stream cancelled while its Kafka consumer is being set up stops that consumer, then gives back its slot', async () => {
    const { feed, followed, finishSetUp, stops } = manualFeed();
    const streams = new StreamSlots(1);
    const call = openStream(feed, streams);
    await followed;
    expect(streams.count('agr-1')).toBe(1);
    call.emit('cancelled');
    await new Promise((resolve) => setImmediate(resolve));
    // The consumer is still being created: the slot stays taken until it can be stopped.
    expect(streams.count('agr-1')).toBe(1);
    finishSetUp();
    await until('the slot is given back', () => streams.count('agr-1') === 0);
    expect(stops()).toBe(1);
    expect(call.written).toEqual([]);
  });

  it('R12, R22: a stream delivers only changes published after the citizen consented and within the agreement', async () => {
    const { feed, followed, finishSetUp, push } = manualFeed();
    const call = openStream(feed, new StreamSlots(1));
    await followed;
    finishSetUp();
    await until('the opening marker', () => call.written.length === 1);
    await push(change(1), new Date(agreement.validity.from.getTime() - DAY));
    await push(change(2), new Date(consentedAt.getTime() - 1));
    await push(change(3), consentedAt);
    await push(change(4), new Date(consentedAt.getTime() + DAY));
    expect(call.written.slice(1).map((message) => message.changeId)).toEqual(['ev-3:permanentAddress', 'ev-4:permanentAddress']);
    call.emit('cancelled');
  });
});
