import type { Command } from 'commander';
import { SOURCES, type SourceName } from '../kafka/topics.ts';
import { ensureStack } from '../deploy/local/stack.ts';
import { HUB_SERVICE, IngestService } from '../hub/ingest/ingest-service.ts';
import { simulatedFeed } from '../connectors/feed.ts';
import { connectorService, runConnectorProcess } from '../connectors/connector-process.ts';
import type { ConnectorSummary } from '../connectors/sdk/source-connector.ts';
import { LiveCounts } from './live-counts.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import { healthThresholdsFromEnv } from '../hub/operations/health-thresholds.ts';
import { DEFAULT_ADMIN_PORT, jaegerUiUrl, dancuHome, databaseName, heartbeatIntervalMs, parsePort, parsePositiveInt, parseShare } from './settings.ts';
import { onShutdown, untilAborted, withTracing } from './shutdown.ts';
import { addApiOptions, preparePki, startApi, type ApiFlags } from './exchange-api.ts';

export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description(
      'The main job (npm start): bring up the local stack unless KAFKA_BROKERS / MONGODB_URI are set, ' +
        'then run the hub (ingest and the gRPC API on mutual TLS, creating the PKI on first start) and ' +
        'the four source connectors on one simulated population, showing live ' +
        'counts (published, applied, rejected, lag) until Ctrl-C stops everything cleanly.',
    )
    .option('--citizens <n>', 'simulated population size', '5000')
    .option('--seed <n>', 'simulation seed', '1')
    .option('--rate <events-per-second>', 'events per second per source (the hub keeps up with 4 × 40 on the local stack; see BENCHMARKS.md)', '40')
    .option('--bad <share>', 'share of invalid simulated records', '0.01')
    .option('--admin-port <port>', "the hub's HTTP port on 127.0.0.1 for the dashboard (/), /metrics, /healthz, /readyz and /connectors", process.env.DANCU_ADMIN_PORT ?? DEFAULT_ADMIN_PORT)
  addApiOptions(command).action((flags: { citizens: string; seed: string; rate: string; bad: string; adminPort: string } & ApiFlags) => withTracing(async (tracing) => {
      const signal = onShutdown();
      const connectorHealth = healthThresholdsFromEnv(); // a mistake in the thresholds stops the start here, before anything runs
      const beatEvery = heartbeatIntervalMs();
      const jaegerUi = jaegerUiUrl(); // a mistaken DANCU_JAEGER_UI stops the start here, before anything runs
      const stack = await ensureStack({ log: (line) => console.error(line) });
      const pki = await preparePki(flags, true);
      const hub = await IngestService.start({
        kafkaBrokers: stack.kafkaBrokers,
        mongodbUri: stack.mongodbUri,
        database: databaseName(),
        tracer: tracing.tracer(HUB_SERVICE),
        connectorHealth,
        ...(pki.journalSigningKey ? { journalSigningKey: pki.journalSigningKey } : {}),
      });
      const api = await startApi(flags, { ...stack, database: databaseName(), metrics: hub.metrics.registry, pki, journal: hub.journal, tracer: tracing.tracer(HUB_SERVICE), connectors: () => hub.connectors() });
      const admin = await AdminServer.start({ registry: hub.metrics.registry, readiness: () => hub.readiness(), connectors: () => hub.connectors(), dashboard: { ingest: hub, connectors: () => hub.connectors(), jaegerUiUrl: jaegerUi }, port: parsePort(flags.adminPort, '--admin-port') });
      const simulation = {
        seed: parsePositiveInt(flags.seed, '--seed'),
        citizens: parsePositiveInt(flags.citizens, '--citizens'),
        duplicateShare: 0.02,
        reorderShare: 0.02,
        badShare: parseShare(flags.bad, '--bad'),
      };
      const rate = parsePositiveInt(flags.rate, '--rate');
      const connectors = new Map<SourceName, ConnectorSummary>();
      console.log(`dancu running: Kafka ${stack.kafkaBrokers.join(',')}, store ${stack.mongodbUri} (${databaseName()}), gRPC ${flags.grpcAddress}, dashboard ${admin.url}/, metrics ${admin.url}/metrics. Ctrl-C to stop.\n`);
      const live = new LiveCounts({ hub, connectors });
      live.start();
      const running = SOURCES.map((source) =>
        runConnectorProcess({
          source,
          feedId: `${source}.simulated.seed-${simulation.seed}`,
          items: simulatedFeed(source, simulation),
          kafkaBrokers: stack.kafkaBrokers,
          stateDir: dancuHome(),
          rate,
          batchSize: Math.max(1, Math.ceil(rate / 5)),
          signal,
          onProgress: (summary) => connectors.set(source, { ...summary }),
          tracer: tracing.tracer(connectorService(source)),
          ...(beatEvery ? { heartbeatIntervalMs: beatEvery } : {}),
        }),
      );
      await Promise.all(running);
      if (!signal.aborted) {
        console.log('\nthe simulated population is fully published; the hub keeps running until Ctrl-C');
        await untilAborted(signal);
      }
      live.stop();
      await admin.close();
      await api.stop();
      await hub.stop();
      live.printFinal();
    }));
}
