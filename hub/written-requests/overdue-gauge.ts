// `dancu_written_requests_overdue` on the hub's /metrics: written requests undecided past their
// R11 deadline or not delivered by the agreed time, counted when Prometheus scrapes (alert on > 0).
import { Gauge, type Registry } from 'prom-client';
import type { WrittenRequests } from './written-requests.ts';

export function registerOverdueGauge(metrics: Registry, written: Pick<WrittenRequests, 'countOverdue'>, log: (line: string) => void): void {
  new Gauge({
    name: 'dancu_written_requests_overdue',
    help: 'Written requests (R19) undecided past their 3-working-day deadline (R11) or not delivered by the agreed time.',
    registers: [metrics],
    async collect() {
      // A store that does not answer keeps the last count rather than failing the whole scrape.
      try {
        this.set(await written.countOverdue());
      } catch (error) {
        log(`written requests: overdue count not refreshed (${error instanceof Error ? error.message : String(error)})`);
      }
    },
  });
}
