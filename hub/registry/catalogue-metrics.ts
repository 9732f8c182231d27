// R24 on /metrics: whether the service catalogue is overdue for its yearly review, and when the
// review is due, read from the registry at each scrape (one small collection), so an alert can
// fire however the operator watches the hub.
import { Gauge, type Registry as MetricsRegistry } from 'prom-client';
import type { CatalogueStatus } from './catalogue-review.ts';
import type { Registry } from './registry.ts';

export function registerCatalogueMetrics(metrics: MetricsRegistry, registry: Pick<Registry, 'catalogueStatus'>): void {
  let pending: Promise<CatalogueStatus | null> | null = null;
  // Both gauges share one read per scrape; a store that does not answer leaves them as they were
  // rather than failing the whole scrape (/readyz reports the store).
  const read = () =>
    (pending ??= registry
      .catalogueStatus()
      .catch(() => null)
      .finally(() => setImmediate(() => (pending = null))));
  new Gauge({
    name: 'dancu_catalogue_review_overdue',
    help: 'R24: 1 when the service catalogue has been neither published nor reviewed for more than a year (record a review with `dancu registry catalogue-review`), else 0.',
    registers: [metrics],
    async collect() {
      const status = await read();
      if (status !== null) this.set(status.overdue ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dancu_catalogue_review_due_timestamp_seconds',
    help: 'R24: when the service catalogue must next be reviewed (Unix time).',
    registers: [metrics],
    async collect() {
      const status = await read();
      if (status !== null) this.set(Math.floor(status.reviewDueAt.getTime() / 1000));
    },
  });
}
