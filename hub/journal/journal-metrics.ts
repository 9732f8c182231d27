// The journal's metrics, in Prometheus form: how long an entry takes to become durable, and how
// many appends failed. A failed append means an exchange call answered UNAVAILABLE
// JOURNAL_UNAVAILABLE with no data, or an ingest slice retried: operators are alerted on it
// (deploy/prometheus/alerts.yml). Both writers of a hub process (the exchange and ingest) count in
// the same series, told apart by `writer`; one set of metrics per registry.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { JournalEntryInput, JournalReceipt, JournalWriter } from './journal-entry.ts';

export type JournalWriterName = 'exchange' | 'ingest';

const byRegistry = new WeakMap<Registry, JournalMetrics>();

export class JournalMetrics {
  private readonly seconds: Histogram;
  private readonly failures: Counter<'writer'>;

  private constructor(registry: Registry) {
    this.seconds = new Histogram({
      name: 'dancu_journal_append_duration_seconds',
      help: 'Time for a journal entry to become durable (group commit included).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'dancu_journal_append_failures_total',
      help: 'Journal appends that failed (the store refused or did not answer), by writer (exchange, ingest): the act they recorded was refused or retried.',
      labelNames: ['writer'],
      registers: [registry],
    });
    for (const writer of ['exchange', 'ingest'] as const) this.failures.inc({ writer }, 0); // a series from the start, for rate()
  }

  /** The journal metrics of this registry, registered on first use. */
  static on(registry: Registry): JournalMetrics {
    let metrics = byRegistry.get(registry);
    if (!metrics) {
      metrics = new JournalMetrics(registry);
      byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** The journal, timed and its failures counted. */
  timed(journal: JournalWriter, writer: JournalWriterName): JournalWriter {
    return {
      append: async (entry: JournalEntryInput): Promise<JournalReceipt> => {
        const stop = this.seconds.startTimer();
        try {
          return await journal.append(entry);
        } catch (error) {
          this.failures.inc({ writer });
          throw error;
        } finally {
          stop();
        }
      },
    };
  }
}
