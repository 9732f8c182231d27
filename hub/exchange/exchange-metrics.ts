// The exchange's metrics, in Prometheus form. Names start with dancu_exchange_; labels are
// services, decisions, reasons and abuse patterns — never personal ids or agreement ids
// (those are in the journal), so the series count stays bounded.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { JournalMetrics } from '../journal/journal-metrics.ts';
import type { AbuseFlag } from './abuse-guard.ts';
import type { CallObserver } from './journaled-call.ts';

export class ExchangeMetrics implements CallObserver {
  private readonly requests: Counter<'service' | 'decision' | 'reason'>;
  private readonly seconds: Histogram<'service' | 'decision'>;
  private readonly abuse: Counter<'pattern'>;
  private readonly journal: JournalMetrics;

  constructor(
    registry: Registry,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.requests = new Counter({
      name: 'dancu_exchange_requests_total',
      help: 'Exchange and self-service calls, by service, decision (allowed, refused) and refusal reason.',
      labelNames: ['service', 'decision', 'reason'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'dancu_exchange_request_duration_seconds',
      help: 'Time from a call arriving to its answer (incl. the durable journal write), by service and decision.',
      labelNames: ['service', 'decision'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.abuse = new Counter({
      name: 'dancu_exchange_abuse_flags_total',
      help: 'Enumeration and match-oracle patterns detected and throttled, by pattern.',
      labelNames: ['pattern'],
      registers: [registry],
    });
    this.journal = JournalMetrics.on(registry);
  }

  observe(service: string, decision: 'allowed' | 'refused', reason: string | undefined, seconds: number): void {
    this.requests.inc({ service, decision, reason: reason ?? '' });
    this.seconds.observe({ service, decision }, seconds);
  }

  failed(service: string, error: unknown): void {
    this.log(`exchange: ${service} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  /** Abuse flags reach operators here: a counter to alert on and a log line naming the agreement. */
  flagged(flag: AbuseFlag): void {
    this.abuse.inc({ pattern: flag.pattern });
    this.log(`exchange: ABUSE ${flag.pattern} under agreement ${flag.agreementId}: ${flag.detail}; throttled`);
  }

  /** The journal, timed and its failures counted (journal-metrics.ts). */
  timed(journal: JournalWriter): JournalWriter {
    return this.journal.timed(journal, 'exchange');
  }
}
