// The stall watch alone, and BatchConsumer replacing a consumer that went silent. kafkajs's hang
// (a stop after a crash that never ends) cannot be called up on demand against a real broker, so
// the consumer here is a stand-in that does what the hung one does: nothing. What it proves is the
// supervision logic; test/batch-consumer.test.ts and the fault drills prove consumption on Kafka.
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchConsumer, type ConsumerFailure } from './batch-consumer.ts';
import { StallWatch } from './stall-watch.ts';

const EVENTS = {
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  HEARTBEAT: 'consumer.heartbeat',
  FETCH_START: 'consumer.fetch_start',
  GROUP_JOIN: 'consumer.group_join',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  CRASH: 'consumer.crash',
} as const;

/** Stands in for a kafkajs consumer: joins when run, then only does what the test makes it do. */
class SilentConsumer {
  readonly events = EVENTS;
  private readonly emitter = new EventEmitter();
  readonly disconnect = vi.fn(() => new Promise<void>(() => {})); // kafkajs's hung stop
  readonly run = vi.fn(async () => {
    if (this.kafkaDown) throw new Error('Connection error: connect ECONNREFUSED');
    this.emit('GROUP_JOIN');
  });

  constructor(private readonly kafkaDown = false) {}

  on(event: string, listener: () => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** A crash is one kafkajs restarts itself unless `restart` says otherwise. */
  emit(event: keyof typeof EVENTS, restart = true): void {
    this.emitter.emit(EVENTS[event], { payload: event === 'CRASH' ? { error: new Error('a crash'), restart } : {} });
  }

  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
}

function silentKafka(options: { downAfterFirst?: boolean } = {}): { kafka: Kafka; consumers: SilentConsumer[] } {
  const consumers: SilentConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new SilentConsumer(Boolean(options.downAfterFirst) && consumers.length > 0);
      consumers.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  return { kafka, consumers };
}

describe('a consumer that goes silent', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('R26: the stall watch fires once the silence passes its bound, and not while signs of life keep coming', async () => {
    const stalls: number[] = [];
    const watch = new StallWatch(1_000, (silentMs) => stalls.push(silentMs));
    watch.start();
    for (let step = 0; step < 20; step += 1) {
      await vi.advanceTimersByTimeAsync(500);
      watch.sign();
    }
    expect(stalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_250);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(1_000);
    watch.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stalls).toHaveLength(1);
  });

  it('R26: a consumer silent past stallMs is abandoned and a new one joins; the stuck one is told to leave if it ever joins again', async () => {
    const { kafka, consumers } = silentKafka();
    const failures: ConsumerFailure[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: 'g',
      topics: ['t'],
      handle: async () => {},
      stallMs: 1_000,
      onFailure: (f) => failures.push(f),
    });
    await consumer.start();
    expect(consumer.state().consuming).toBe(true);

    await vi.advanceTimersByTimeAsync(1_500);
    expect(consumers).toHaveLength(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.kind).toBe('crash');
    expect(String(failures[0]!.error)).toMatch(/no sign of life for \d+ s/);
    expect(consumers[0]!.disconnect).toHaveBeenCalledTimes(1);
    expect(consumers[1]!.run).toHaveBeenCalledTimes(1);
    expect(consumer.state().consuming, 'the new consumer joined').toBe(true);

    consumers[0]!.emit('GROUP_JOIN'); // the stuck one came back after all
    expect(consumers[0]!.disconnect).toHaveBeenCalledTimes(2);
    expect(consumers).toHaveLength(2);
  });

  it('R26: a consumer that keeps showing signs of life (requests, heartbeats, fetches) is never replaced', async () => {
    const { kafka, consumers } = silentKafka();
    const consumer = new BatchConsumer(kafka, { groupId: 'g', topics: ['t'], handle: async () => {}, stallMs: 1_000 });
    await consumer.start();
    const signs = ['REQUEST', 'HEARTBEAT', 'FETCH_START', 'REQUEST_TIMEOUT', 'COMMIT_OFFSETS', 'CRASH'] as const;
    for (let step = 0; step < 30; step += 1) {
      await vi.advanceTimersByTimeAsync(600);
      consumers[0]!.emit(signs[step % signs.length]!);
    }
    expect(consumers).toHaveLength(1);
  });

  it('R26: while Kafka is down and every restart fails, the consumer is restarted on its back-off, never taken for a silent one', async () => {
    const { kafka, consumers } = silentKafka({ downAfterFirst: true });
    const failures: ConsumerFailure[] = [];
    const backoff = { initialMs: 100, maxMs: 400 };
    const consumer = new BatchConsumer(kafka, {
      groupId: 'g',
      topics: ['t'],
      handle: async () => {},
      stallMs: 1_000,
      backoff,
      onFailure: (f) => failures.push(f),
    });
    await consumer.start();
    consumers[0]!.emit('CRASH', false); // a crash kafkajs does not restart: the supervisor does
    await vi.advanceTimersByTimeAsync(10_000);
    expect(consumers.length, 'restarted again and again').toBeGreaterThan(10);
    expect(
      failures.every((failure) => !String(failure.error).includes('no sign of life')),
      'never replaced as silent',
    ).toBe(true);
    expect(consumer.state()).toMatchObject({ consuming: false });
    expect(consumer.state().cause).toMatch(/crashed \(Connection error/);
    await consumer.stop();
  });

  it('R26: a stopped consumer is not replaced, however long it stays silent', async () => {
    const { kafka, consumers } = silentKafka();
    const consumer = new BatchConsumer(kafka, { groupId: 'g', topics: ['t'], handle: async () => {}, stallMs: 1_000 });
    await consumer.start();
    consumers[0]!.disconnect.mockImplementation(async () => {});
    await consumer.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(consumers).toHaveLength(1);
    expect(consumer.state()).toMatchObject({ consuming: false, cause: 'stopped' });
  });
});
