// The hub's way of reading the source topics: batches in slices, offsets committed only after a
// slice was handled, and supervised so that nothing can stop consumption for good.
//
// - A slice whose handling fails is retried in place, with back-off, heartbeating meanwhile:
//   its offsets are never committed, so nothing past a record that was neither applied nor
//   dead-lettered is ever committed, and the partition stays with this member.
// - A consumer that kafkajs lets crash for good (a non-retriable error) is replaced by a new one
//   after a back-off; kafkajs restarts the retriable crashes itself.
// While either is going on the consumer reports itself not consuming, with the cause, so the
// hub's /readyz says why; every failure is passed to `onFailure` (metrics).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka } from 'kafkajs';
import { stopWithin } from './bounded-stop.ts';
import { type RawRecord, toRawRecord } from './records.ts';

export interface ConsumerState {
  consuming: boolean;
  /** Why it is not consuming: the last failure, in a sentence. */
  cause?: string;
  since: Date;
}

export interface ConsumerFailure {
  /** `slice`: handling a slice failed (retried in place); `crash`: the Kafka consumer stopped (restarted). */
  kind: 'slice' | 'crash';
  error: unknown;
  /** Where: `<topic>[<partition>]@<first>..<last>` for a slice. */
  where?: string;
  /** How long until the next try. */
  retryInMs: number;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * How long the group waits for a silent member before handing its partitions to others
   * (kafkajs default 30 s). The broker accepts 6 s at the least (group.min.session.timeout.ms).
   */
  sessionTimeoutMs?: number;
  /**
   * Called with a slice of one partition's records (`attempt` counts from 1 for each slice);
   * offsets are committed only after it resolves.
   */
  handle: (records: RawRecord[], attempt: number) => Promise<void>;
  /**
   * How many partitions' slices may be in `handle` at once (kafkajs's partitionsConsumedConcurrently;
   * default 1). A partition's next slice always waits for its previous one.
   */
  partitionsAtOnce?: number;
  onFailure?: (failure: ConsumerFailure) => void;
  backoff?: Backoff;
}

/** Records handed to one `handle` call at most. */
const HANDLE_SLICE = 500;
/** While waiting to retry a slice, the member heartbeats at least this often. */
const HEARTBEAT_STEP_MS = 1_000;

export class BatchConsumer {
  private consumer: Consumer;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private current: ConsumerState = { consuming: false, cause: 'starting', since: new Date() };

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = this.create();
  }

  /** Whether records are flowing, and if not, why. */
  state(): ConsumerState {
    return { ...this.current };
  }

  async start(): Promise<void> {
    await this.run(this.consumer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await stopWithin(`the consumer of group ${this.options.groupId}`, () => this.consumer.disconnect());
    this.set({ consuming: false, cause: 'stopped' });
  }

  /** Resolves when the consumer has joined its group and got its partitions. */
  joined(): Promise<void> {
    return new Promise((resolve) => {
      const remove = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
  }

  private create(): Consumer {
    const session = this.options.sessionTimeoutMs ?? 30_000;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: session,
      rebalanceTimeout: Math.max(session, 10_000),
      heartbeatInterval: Math.min(3_000, Math.floor(session / 3)),
      // What kafkajs holds per partition between fetches. A slice is at most 500 records of at
      // most 64 KiB (typically ~0.5 KiB), so 1 MiB keeps several slices ready per partition while
      // bounding the buffered bytes of a hub with many partitions (4 MiB × 12 partitions was most
      // of a backfilling hub's memory).
      maxBytesPerPartition: 1024 * 1024,
      allowAutoTopicCreation: false,
      // A consumer being stopped is never restarted: a request cut by the disconnect itself (with
      // several partitions in flight, "write after end") would otherwise bring it back, and the
      // stop would wait for it until the shutdown bound.
      retry: { restartOnFailure: async () => !this.stopped },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Joined after its stop was given up on (kafkajs cannot stop a consumer still joining): leave now.
      if (this.stopped) {
        consumer.disconnect().catch(() => undefined);
        return;
      }
      this.crashes = 0;
      this.set({ consuming: true });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.crashed(consumer, payload.error, payload.restart));
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsAtOnce ?? 1,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        // A fetched batch can hold thousands of records; handling it in slices, with a heartbeat
        // and a commit after each, keeps the member alive in its group and the replay after a
        // crash short.
        for (let start = 0; start < batch.messages.length; start += HANDLE_SLICE) {
          const slice = batch.messages.slice(start, start + HANDLE_SLICE);
          const records = slice.map((message) => toRawRecord(batch.topic, batch.partition, message));
          const last = slice[slice.length - 1]!.offset;
          const where = `${batch.topic}[${batch.partition}]@${slice[0]!.offset}..${last}`;
          const handled = await this.handleUntilDone(records, where, { heartbeat, isRunning, isStale });
          if (!handled) return; // stopping or rebalanced: the slice stays uncommitted and is read again
          resolveOffset(last);
          // Explicit offsets: with autoCommit off and no interval or threshold, kafkajs's
          // argument-less commitOffsetsIfNecessary() never commits anything.
          await commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
          });
          await heartbeat();
        }
      },
    });
  }

  /** Handles the slice, retrying with back-off until it succeeds (true) or the slice is no longer ours to handle (false). */
  private async handleUntilDone(
    records: RawRecord[],
    where: string,
    batch: { heartbeat: () => Promise<void>; isRunning: () => boolean; isStale: () => boolean },
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopped || !batch.isRunning() || batch.isStale()) return false;
      try {
        await whileHeartbeating(this.options.handle(records, attempt), batch.heartbeat);
        if (!this.current.consuming) this.set({ consuming: true });
        return true;
      } catch (error) {
        const retryInMs = this.backoff(attempt);
        this.set({
          consuming: false,
          cause: `handling ${where} failed (attempt ${attempt}, next in ${Math.round(retryInMs / 1000)} s): ${messageOf(error)}`,
        });
        this.options.onFailure?.({ kind: 'slice', error, where, retryInMs });
        const deadline = Date.now() + retryInMs;
        while (Date.now() < deadline) {
          if (this.stopped || !batch.isRunning()) return false;
          await sleep(Math.max(0, Math.min(HEARTBEAT_STEP_MS, deadline - Date.now())));
          await batch.heartbeat(); // throws when the group rebalances: kafkajs then rejoins, uncommitted
        }
      }
    }
  }

  private crashed(consumer: Consumer, error: unknown, restartedByKafkajs: boolean): void {
    if (this.stopped || consumer !== this.consumer) return;
    this.crashes += 1;
    const retryInMs = this.backoff(this.crashes);
    this.set({
      consuming: false,
      cause: `the Kafka consumer crashed (${messageOf(error)}); restarting in ${Math.round(retryInMs / 1000)} s`,
    });
    this.options.onFailure?.({ kind: 'crash', error, retryInMs });
    if (restartedByKafkajs) return;
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.consumer = this.create();
      this.run(this.consumer).catch((failure: unknown) => this.crashed(this.consumer, failure, false));
    }, retryInMs);
  }

  private backoff(attempt: number): number {
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
  }

  private set(state: Omit<ConsumerState, 'since'>): void {
    this.current = { ...state, since: new Date() };
  }
}

/**
 * Waits for `work`, heartbeating meanwhile: a slice may wait behind others (slice-group.ts) or on a
 * slow store for longer than the session timeout, and kafkajs heartbeats only when asked. A
 * heartbeat refused because the group is rebalancing is left to the commit after the slice, which
 * then fails and leaves the slice uncommitted, to be read again.
 */
async function whileHeartbeating<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
  const timer = setInterval(() => heartbeat().catch(() => {}), HEARTBEAT_STEP_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
