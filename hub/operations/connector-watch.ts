// The connectors feeding a hub, watched beside its ingest: the heartbeat monitor needs the hub's
// lag, and every process that ingests should report on the connectors feeding it; their health
// goes into the hub's metrics. Started once ingest consumes, stopped before ingest stops.
import type { IngestService } from '../ingest/ingest-service.ts';
import { registerConnectorHealthMetrics } from './connector-health-metrics.ts';
import { readRetirements } from './connector-retirement.ts';
import { type HealthThresholds, healthThresholds } from './health-thresholds.ts';
import { HeartbeatMonitor } from './heartbeat-monitor.ts';

/** When connectors count as degraded or down: healthThresholdsFromEnv at start-up, the defaults when absent. */
export async function watchConnectors(hub: IngestService, thresholds: HealthThresholds = healthThresholds()): Promise<HeartbeatMonitor> {
  let monitor: HeartbeatMonitor;
  try {
    monitor = await HeartbeatMonitor.start({
      kafka: hub.kafka,
      thresholds,
      lag: () => hub.lag(),
      retirements: () => readRetirements(hub.db),
    });
  } catch (error) {
    await hub.stop(); // do not leave a consumer running behind a failed start
    throw error;
  }
  registerConnectorHealthMetrics(hub.metrics.registry, () => monitor.connectors());
  return monitor;
}
