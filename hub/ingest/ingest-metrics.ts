// The hub's ingest metrics, in Prometheus form (prom-client). Names start with dancu_ingest_;
// label values are sources, reasons, topics and partitions — never personal data.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PartitionLag } from '../../kafka/group-offsets.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { JournalMetrics } from '../journal/journal-metrics.ts';
import type { BatchOutcome } from './ingest-batch.ts';

export class IngestMetrics {
  private readonly records: Counter<'source' | 'outcome'>;
  private readonly rejected: Counter<'source' | 'reason'>;
  private readonly changes: Counter<'source'>;
  private readonly batchRecords: Histogram<'source'>;
  private readonly batchSeconds: Histogram<'source'>;
  private readonly failures: Counter<'kind'>;

  /** `lag` is asked at each scrape, so the gauge is as fresh as the scrape. */
  constructor(
    readonly registry: Registry,
    lag: () => Promise<PartitionLag[]>,
  ) {
    this.records = new Counter({
      name: 'dancu_ingest_records_total',
      help: 'Source records the hub consumed, by source and outcome (applied, duplicate, rejected).',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'dancu_ingest_rejected_total',
      help: 'Source records dead-lettered to dancu.dlq.v1, by source and reason.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    });
    this.changes = new Counter({
      name: 'dancu_ingest_changes_published_total',
      help: 'Changes published to dancu.changes.v1, by the source that caused them.',
      labelNames: ['source'],
      registers: [registry],
    });
    this.batchRecords = new Histogram({
      name: 'dancu_ingest_batch_records',
      help: 'Records per handled slice of a fetched batch.',
      labelNames: ['source'],
      buckets: [1, 10, 50, 100, 250, 500],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'dancu_ingest_batch_duration_seconds',
      help: 'Time to handle one slice: validate, store (history, claims, documents), publish dead letters and changes.',
      labelNames: ['source'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'dancu_ingest_consumer_failures_total',
      help: 'Failures that held ingest up: kind "slice" (handling a slice failed; it is retried in place, uncommitted) or "crash" (the Kafka consumer stopped; it is restarted).',
      labelNames: ['kind'],
      registers: [registry],
    });
    new Gauge({
      name: 'dancu_ingest_consumer_lag',
      help: "Records in a source partition not yet committed by the hub's consumer group.",
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const partition of await lag()) this.set({ topic: partition.topic, partition: String(partition.partition) }, partition.lag);
      },
    });
  }

  /** The journal as ingest writes it: timed, its failures counted (journal-metrics.ts). */
  journaled(journal: JournalWriter): JournalWriter {
    return JournalMetrics.on(this.registry).timed(journal, 'ingest');
  }

  recordFailure(kind: 'slice' | 'crash'): void {
    this.failures.inc({ kind });
  }

  record(outcome: BatchOutcome, seconds: number): void {
    const source = outcome.source ?? 'unknown';
    const rejected = Object.values(outcome.rejected).reduce((sum, count) => sum + (count ?? 0), 0);
    this.records.inc({ source, outcome: 'applied' }, outcome.applied);
    this.records.inc({ source, outcome: 'duplicate' }, outcome.duplicates);
    this.records.inc({ source, outcome: 'rejected' }, rejected);
    for (const [reason, count] of Object.entries(outcome.rejected)) this.rejected.inc({ source, reason }, count ?? 0);
    this.changes.inc({ source }, outcome.changes);
    this.batchRecords.observe({ source }, outcome.received);
    this.batchSeconds.observe({ source }, seconds);
  }
}
