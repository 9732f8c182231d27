// The hub's way of reading the source topics: batches in slices, offsets committed only after a
// slice was handled, and supervised so that nothing can stop consumption for good.
//
// - A handler may take a slice and finish it later (`HandedOver`): the partition's next slice is
//   handed over meanwhile, and offsets are committed in order, each once its slice is done.
// - A slice whose handling fails is retried in place, with back-off, heartbeating meanwhile:
//   neither its offsets nor those of any slice after it are committed before it succeeds, so
//   nothing past a record that was neither applied nor dead-lettered is ever committed, and the
//   partition stays with this member.
// - A consumer that kafkajs lets crash for good (a non-retriable error) is replaced by a new one
//   after a back-off; kafkajs restarts the retriable crashes itself.
// - A consumer that shows no sign of life for `stallMs` (kafkajs stuck stopping after a crash,
//   stall-watch.ts) is abandoned and replaced by a new one.
// While either is going on the consumer reports itself not consuming, with the cause, so the
// hub's /readyz says why; every failure is passed to `onFailure` (metrics).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka } from 'kafkajs';
import { stopWithin } from './bounded-stop.ts';
import { type RawRecord, toRawRecord } from './records.ts';
import { MIN_STALL_MS, StallWatch } from './stall-watch.ts';

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

/** A slice taken by `handle` whose offsets wait for `done`. */
export interface HandedOver {
  done: Promise<void>;
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
   * Called with a slice of one partition's records (`attempt` counts from 1 for each slice). It
   * resolves once the partition's next slice may be handed over, and the slice's offsets are
   * committed after that. Or it resolves with `{ done }`: the next slice is handed over at once
   * and this one's offsets are committed once `done` resolves (ingest stores the next slice while
   * this one's changes are published). Offsets are committed in order, so nothing is committed
   * past a slice that is not done; a `done` that rejects has its slice handled again (the next
   * attempt, waiting for `done` before the slice after it).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a plain async handler (Promise<void>) has its slice done when it resolves
  handle: (records: RawRecord[], attempt: number) => Promise<void | HandedOver>;
  /**
   * How many partitions' slices may be in `handle` at once (kafkajs's partitionsConsumedConcurrently;
   * default 1). A partition's next slice always waits for its previous one.
   */
  partitionsAtOnce?: number;
  onFailure?: (failure: ConsumerFailure) => void;
  backoff?: Backoff;
  /**
   * How long the consumer may show no sign of life (no request, heartbeat, fetch, join or reported
   * crash) before it counts as stuck and is replaced: by default 4 session timeouts, at least 2 min.
   */
  stallMs?: number;
}

/** What a live consumer does often; its silence is what StallWatch watches. */
const SIGNS_OF_LIFE = ['REQUEST', 'REQUEST_TIMEOUT', 'HEARTBEAT', 'FETCH_START', 'GROUP_JOIN', 'COMMIT_OFFSETS', 'CRASH'] as const;

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
  private readonly stall: StallWatch;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.stall = new StallWatch(options.stallMs ?? Math.max(MIN_STALL_MS, 4 * (options.sessionTimeoutMs ?? 30_000)), (silentMs) =>
      this.replaceStalled(silentMs),
    );
    this.consumer = this.create();
  }

  /** Whether records are flowing, and if not, why. */
  state(): ConsumerState {
    return { ...this.current };
  }

  async start(): Promise<void> {
    this.stall.start();
    await this.run(this.consumer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stall.stop();
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
    const consumer: Consumer = this.kafka.consumer({
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
      // stop would wait for it until the shutdown bound. Nor is one that was replaced.
      retry: { restartOnFailure: async () => !this.stopped && consumer === this.consumer },
    });
    for (const sign of SIGNS_OF_LIFE) {
      consumer.on(consumer.events[sign], () => {
        if (consumer === this.consumer) this.stall.sign();
      });
    }
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Joined after its stop was given up on (kafkajs cannot stop a consumer still joining), or
      // after it was replaced as stuck: leave now.
      if (this.stopped || consumer !== this.consumer) {
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
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning: running, isStale }) => {
        // A consumer replaced as stuck that comes back to life handles nothing more.
        const isRunning = () => running() && consumer === this.consumer;
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        // A fetched batch can hold thousands of records; handling it in slices, with a heartbeat
        // and a commit after each, keeps the member alive in its group and the replay after a
        // crash short.
        const slices: Slice[] = [];
        for (let start = 0; start < batch.messages.length; start += HANDLE_SLICE) {
          const messages = batch.messages.slice(start, start + HANDLE_SLICE);
          const last = messages[messages.length - 1]!.offset;
          slices.push({
            records: messages.map((message) => toRawRecord(batch.topic, batch.partition, message)),
            last,
            where: `${batch.topic}[${batch.partition}]@${messages[0]!.offset}..${last}`,
          });
        }
        const control = { heartbeat, isRunning, isStale };
        const commits = new InOrderCommits(async (slice) => {
          resolveOffset(slice.last);
          // Explicit offsets: with autoCommit off and no interval or threshold, kafkajs's
          // argument-less commitOffsetsIfNecessary() never commits anything.
          await commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(slice.last) + 1n).toString() }] }],
          });
          await heartbeat();
        });
        let next = 0;
        for (;;) {
          commits.throwIfCommitFailed();
          const failed = commits.failed();
          if (failed) {
            // A slice handed over failed to finish: nothing after it is committed. Once the
            // commits before it are through, it is handled again, wholly, then the slices after it.
            await whileHeartbeating(commits.settled(), heartbeat);
            const index = slices.indexOf(failed.slice);
            if (!(await this.waitToRetry(failed.error, 1, failed.slice.where, control))) return;
            const retried = await this.handleUntilTaken(failed.slice, control, { from: 2, wholly: true });
            if (!retried) return;
            commits.restart();
            commits.add(failed.slice, retried.done);
            next = index + 1;
            continue;
          }
          if (next === slices.length) {
            await whileHeartbeating(commits.settled(), heartbeat);
            if (commits.failed()) continue;
            commits.throwIfCommitFailed();
            return;
          }
          const slice = slices[next]!;
          const taken = await this.handleUntilTaken(slice, control, { from: 1, wholly: false });
          if (!taken) {
            // Stopping or rebalanced: this slice and those after it stay uncommitted and are read again.
            await whileHeartbeating(commits.settled(), heartbeat);
            return;
          }
          commits.add(slice, taken.done);
          next += 1;
        }
      },
    });
  }

  /**
   * Hands the slice over, retrying with back-off until `handle` takes it (with `wholly`, until
   * it is also done), or returns false once the slice is no longer ours to handle.
   */
  private async handleUntilTaken(slice: Slice, batch: BatchControl, tries: { from: number; wholly: boolean }): Promise<HandedOver | false> {
    for (let attempt = tries.from; ; attempt += 1) {
      if (this.stopped || !batch.isRunning() || batch.isStale()) return false;
      try {
        const handed = (await whileHeartbeating(this.options.handle(slice.records, attempt), batch.heartbeat)) ?? {
          done: Promise.resolve(),
        };
        handed.done.catch(() => {}); // settled through InOrderCommits, possibly after it rejected
        if (tries.wholly) await whileHeartbeating(handed.done, batch.heartbeat);
        if (!this.current.consuming) this.set({ consuming: true });
        return handed;
      } catch (error) {
        if (!(await this.waitToRetry(error, attempt, slice.where, batch))) return false;
      }
    }
  }

  /** Reports the failed attempt and waits its back-off, heartbeating; false if the slice stopped being ours meanwhile. */
  private async waitToRetry(error: unknown, attempt: number, where: string, batch: BatchControl): Promise<boolean> {
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
    return true;
  }

  private crashed(consumer: Consumer, error: unknown, restartedByKafkajs: boolean): void {
    if (this.stopped || consumer !== this.consumer) return;
    this.stall.sign(); // a crash is reported, so the consumer is not stuck silent (Kafka may be down: restarts go on)
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

  /** The consumer was silent past the stall bound: abandoned (it may never finish stopping), and a new one runs. */
  private replaceStalled(silentMs: number): void {
    if (this.stopped) return;
    const stalled = this.consumer;
    clearTimeout(this.restartTimer);
    const error = new Error(
      `the Kafka consumer showed no sign of life for ${Math.round(silentMs / 1000)} s (kafkajs stuck after a crash); a new one replaces it`,
    );
    this.set({ consuming: false, cause: error.message });
    this.options.onFailure?.({ kind: 'crash', error, retryInMs: 0 });
    this.consumer = this.create();
    // Its stop may never end; if it does, the member leaves the group at once rather than after its session timeout.
    stalled.disconnect().catch(() => undefined);
    this.run(this.consumer).catch((failure: unknown) => this.crashed(this.consumer, failure, false));
  }

  private backoff(attempt: number): number {
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
  }

  private set(state: Omit<ConsumerState, 'since'>): void {
    this.current = { ...state, since: new Date() };
  }
}

interface Slice {
  records: RawRecord[];
  /** Its last record's offset. */
  last: string;
  /** `<topic>[<partition>]@<first>..<last>`, for messages. */
  where: string;
}

interface BatchControl {
  heartbeat: () => Promise<void>;
  isRunning: () => boolean;
  isStale: () => boolean;
}

/**
 * Commits the slices of a partition's batch in the order they were added, each once its `done`
 * resolved. Once a `done` rejects, nothing after it is committed: `failed()` names that slice
 * until `restart()`. A commit that throws (the group rebalanced) stops the rest too, and
 * `throwIfCommitFailed()` passes its error on to kafkajs, which rejoins.
 */
class InOrderCommits {
  private chain: Promise<void> = Promise.resolve();
  private failure: { slice: Slice; error: unknown } | undefined;
  private commitError: { error: unknown } | undefined;

  constructor(private readonly commit: (slice: Slice) => Promise<void>) {}

  add(slice: Slice, done: Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure || this.commitError) return;
      try {
        await done;
      } catch (error) {
        this.failure = { slice, error };
        return;
      }
      try {
        await this.commit(slice);
      } catch (error) {
        this.commitError = { error };
      }
    });
  }

  /** The first slice whose `done` rejected, since the last restart. */
  failed(): { slice: Slice; error: unknown } | undefined {
    return this.failure;
  }

  /** Resolves once every slice added has been committed or skipped. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Forgets the failure once every slice added has settled (its slice is being handled again). */
  restart(): void {
    this.failure = undefined;
  }

  throwIfCommitFailed(): void {
    if (this.commitError) throw this.commitError.error;
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
