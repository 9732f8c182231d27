// The hub's ingest process: one Kafka consumer group over the four source topics, writing to
// the population store. Run as many instances as there are partitions to share the load.

import type { KeyObject } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { type Backoff, BatchConsumer } from '../../kafka/batch-consumer.ts';
import { connectKafka } from '../../kafka/connect.ts';
import { consumerLag, type PartitionLag } from '../../kafka/group-offsets.ts';
import { RecordPublisher } from '../../kafka/record-publisher.ts';
import { ensureTopics } from '../../kafka/topic-creation.ts';
import { ALL_TOPICS, sourceTopic, topicLayout } from '../../kafka/topics.ts';
import type { PlausibilityRules } from '../../schemas/plausibility.ts';
import { SOURCES } from '../../schemas/sources.ts';
import { stopStep } from '../../telemetry/stop-steps.ts';
import { kafkaHeadWitness } from '../journal/head-witness.ts';
import { Journal } from '../journal/journal.ts';
import { PopulationStore } from '../store/population-store.ts';
import { type DeadLetterQueue, readDeadLetterQueue } from './dead-letter-queue.ts';
import { type BatchOutcome, checkSlice, type IngestContext, publishStored, storeSlices } from './ingest-batch.ts';
import { ingestEntry } from './ingest-entry.ts';
import { IngestMetrics } from './ingest-metrics.ts';
import { ingestReadiness, type Readiness } from './ingest-readiness.ts';
import { IngestStats } from './ingest-stats.ts';
import { StoreLanes } from './store-lanes.ts';
import { WrittenCitizens } from './written-citizens.ts';

export const HUB_GROUP_ID = 'dancu-hub';
/** The hub's service name in traces. */
export const HUB_SERVICE = 'dancu-hub';

export interface IngestServiceOptions {
  kafkaBrokers: string[];
  mongodbUri: string;
  database: string;
  groupId?: string;
  /** See BatchConsumerOptions.sessionTimeoutMs: how soon a crashed instance's partitions move on. */
  sessionTimeoutMs?: number;
  onBatch?: (outcome: BatchOutcome) => void;
  /** The `dancu-hub` service's tracer; the API's no-op tracer when absent (it still forwards `traceparent`). */
  tracer?: Tracer;
  /** Signs the journal's chain head (the hub's Ed25519 key from `dancu pki init`). */
  journalSigningKey?: KeyObject;
  /** This hub instance's id: the journal chain it writes (journal-chain.ts); the shared chain when absent. */
  instance?: string;
  /** The plausibility rules every event must pass (plausibilityFromEnv at start-up); the defaults when absent. */
  plausibility?: PlausibilityRules;
  /** How long to wait before retrying a failed slice or restarting a crashed consumer (kafka/batch-consumer.ts). */
  backoff?: Backoff;
}

export class IngestService {
  readonly stats = new IngestStats();
  readonly metrics = new IngestMetrics(new Registry(), () => this.lag());

  private constructor(
    /** The hub's journal: one entry per applied slice here, and shared with the gRPC API. */
    readonly journal: Journal,
    private readonly options: IngestServiceOptions,
    /** The hub's Kafka client, shared with what watches the connectors (hub/operations/connector-watch.ts). */
    readonly kafka: ReturnType<typeof connectKafka>,
    private readonly store: PopulationStore,
    private readonly publisher: RecordPublisher,
    private readonly consumer: BatchConsumer,
  ) {}

  static async start(options: IngestServiceOptions): Promise<IngestService> {
    const kafka = connectKafka({ brokers: options.kafkaBrokers, clientId: 'dancu-hub' });
    await ensureTopics(kafka, ALL_TOPICS.map(topicLayout));
    const store = await PopulationStore.open({ uri: options.mongodbUri, database: options.database });
    const publisher = new RecordPublisher(kafka);
    await publisher.connect();
    // Signed heads are published outside the store too (dancu.journal-heads.v1), so a cut of the
    // journal's end together with its heads in the store is still seen by `journal verify`.
    const journal = await Journal.open(store.db, {
      ...(options.instance ? { chain: options.instance } : {}),
      ...(options.journalSigningKey ? { signingKey: options.journalSigningKey, witness: kafkaHeadWitness(kafka, publisher) } : {}),
    });
    let service: IngestService | undefined;
    const context: IngestContext = {
      store,
      publisher,
      cache: new WrittenCitizens(),
      ...(options.tracer ? { tracer: options.tracer } : {}),
      ...(options.plausibility ? { plausibility: options.plausibility } : {}),
    };
    const topics = SOURCES.map(sourceTopic);
    // One lane of store rounds per source partition number: a citizen's events share it in every source topic.
    const rounds = new StoreLanes(topicLayout(topics[0]!).partitions, {
      store: (slices) => storeSlices(slices, context),
      publish: (stored) => publishStored(stored, context),
    });
    const consumer = new BatchConsumer(kafka, {
      groupId: options.groupId ?? HUB_GROUP_ID,
      topics,
      fromBeginning: true,
      // Every source partition at once: their slices meet in the store rounds of `rounds`.
      partitionsAtOnce: topics.reduce((sum, topic) => sum + topicLayout(topic).partitions, 0),
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onFailure: (failure) => {
        service?.metrics.recordFailure(failure.kind);
        const what = failure.kind === 'slice' ? `handling ${failure.where}` : 'the Kafka consumer';
        console.error(
          `[ingest] ${what} failed: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}; retrying in ${failure.retryInMs} ms`,
        );
      },
      // The partition's next slice is stored while this one's dead letters, changes and journal
      // entry are written; its offsets wait for all three.
      handle: async (records, attempt) => {
        const started = performance.now();
        // Checked at once, while the store may still be busy with the round before; a retry goes alone.
        const slice = rounds.submit(checkSlice(records, context), { alone: attempt > 1 });
        await slice.stored;
        const done = slice.done.then(async (outcome) => {
          // Before the offsets are committed: a slice whose entry could not be written is retried.
          await (service?.metrics.journaled(journal) ?? journal).append(ingestEntry(records, outcome));
          service?.stats.record(outcome);
          service?.metrics.record(outcome, (performance.now() - started) / 1000);
          options.onBatch?.(outcome);
        });
        return { done };
      },
    });
    service = new IngestService(journal, options, kafka, store, publisher, consumer);
    const joined = consumer.joined();
    await consumer.start();
    await joined;
    return service;
  }

  /** Kafka and the store answer and the consumer consumes (ingest-readiness.ts). */
  async readiness(): Promise<Readiness> {
    return ingestReadiness({
      kafka: () => consumerLag(this.kafka, this.options.groupId ?? HUB_GROUP_ID, [sourceTopic('civil-status')]),
      store: () => this.store.ping(),
      consumer: () => this.consumer.state(),
    });
  }

  /** How far behind the hub is on each source partition. */
  lag(): Promise<PartitionLag[]> {
    return consumerLag(this.kafka, this.options.groupId ?? HUB_GROUP_ID, SOURCES.map(sourceTopic));
  }

  /** Every dead letter the topic holds (read without moving any consumer group), for operator views. */
  async readDeadLetters(): Promise<DeadLetterQueue> {
    return readDeadLetterQueue(this.kafka);
  }

  /** The store's database, where the journal lives: the admin port's journal search reads it. */
  get db(): Db {
    return this.store.db;
  }

  async stop(): Promise<void> {
    await stopStep('ingest: consumer', () => this.consumer.stop());
    await stopStep('ingest: journal (signed head)', () => this.journal.close());
    await stopStep('ingest: publisher', () => this.publisher.close());
    await stopStep('ingest: store', () => this.store.close());
  }
}
