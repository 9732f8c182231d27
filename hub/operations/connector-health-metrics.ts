// Connector health in Prometheus form, read from the monitor at each scrape. Label values are
// connector ids (feed ids) and states — never personal data.
import { Gauge, type Registry } from 'prom-client';
import { type ConnectorHealth, HEALTH_STATES } from './connector-health.ts';

export function registerConnectorHealthMetrics(registry: Registry, connectors: () => ConnectorHealth[]): void {
  // One read per scrape for all gauges: each collect() asks for the list, which is cheap (in memory).
  const gauge = (name: string, help: string, labelNames: string[], fill: (gauge: Gauge, connector: ConnectorHealth) => void): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const connector of connectors()) fill(this, connector);
      },
    });
  };
  gauge(
    'dancu_connector_heartbeat_age_seconds',
    "Seconds since the connector's latest heartbeat on dancu.heartbeats.v1.",
    ['connector'],
    (g, c) => g.set({ connector: c.connector }, c.heartbeatAgeSeconds),
  );
  gauge(
    'dancu_connector_state',
    "1 for the connector's current health state (healthy, degraded, down), 0 for the others.",
    ['connector', 'state'],
    (g, c) => {
      for (const state of HEALTH_STATES) g.set({ connector: c.connector, state }, state === c.state ? 1 : 0);
    },
  );
  gauge(
    'dancu_connector_published_records',
    'Records the connector published since its current run started (as of its latest heartbeat).',
    ['connector'],
    (g, c) => g.set({ connector: c.connector }, c.counts.published),
  );
  gauge(
    'dancu_connector_rejected_records',
    'Records the connector rejected since its current run started (as of its latest heartbeat).',
    ['connector'],
    (g, c) => g.set({ connector: c.connector }, c.counts.rejected),
  );
}
