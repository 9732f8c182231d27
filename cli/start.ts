import type { Command } from 'commander';
import { connectorService, runConnectorProcess } from '../connectors/connector-process.ts';
import { simulatedFeed } from '../connectors/feed.ts';
import type { ConnectorSummary } from '../connectors/sdk/source-connector.ts';
import { SOURCES, type SourceName } from '../schemas/sources.ts';
import { type ApiFlags, addApiOptions, startHubProcess } from './hub-process.ts';
import { LiveCounts } from './live-counts.ts';
import { DEFAULT_ADMIN_PORT, dancuHome, databaseName, heartbeatIntervalMs, parsePort, parsePositiveInt, parseShare } from './settings.ts';
import { onShutdown, untilAborted, withTracing } from './shutdown.ts';

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
    .option(
      '--rate <events-per-second>',
      'events per second per source (the hub keeps up with 4 × 40 on the local stack; see BENCHMARKS.md)',
      '40',
    )
    .option('--bad <share>', 'share of invalid simulated records', '0.01')
    .option(
      '--admin-port <port>',
      "the hub's HTTP port on 127.0.0.1 for the dashboard (/), /metrics, /healthz, /readyz and /connectors",
      process.env.DANCU_ADMIN_PORT ?? DEFAULT_ADMIN_PORT,
    );
  addApiOptions(command).action((flags: { citizens: string; seed: string; rate: string; bad: string; adminPort: string } & ApiFlags) =>
    withTracing(async (tracing) => {
      const signal = onShutdown();
      const beatEvery = heartbeatIntervalMs();
      const { stack, hub, admin, stop } = await startHubProcess(flags, {
        createPkiIfMissing: true,
        adminPort: parsePort(flags.adminPort, '--admin-port'),
        tracing,
      });
      const simulation = {
        seed: parsePositiveInt(flags.seed, '--seed'),
        citizens: parsePositiveInt(flags.citizens, '--citizens'),
        duplicateShare: 0.02,
        reorderShare: 0.02,
        badShare: parseShare(flags.bad, '--bad'),
      };
      const rate = parsePositiveInt(flags.rate, '--rate');
      const connectors = new Map<SourceName, ConnectorSummary>();
      console.log(
        `dancu running: Kafka ${stack.kafkaBrokers.join(',')}, store ${stack.mongodbUri} (${databaseName()}), gRPC ${flags.grpcAddress}, dashboard ${admin.url}/, metrics ${admin.url}/metrics. Ctrl-C to stop.\n`,
      );
      const live = new LiveCounts({ hub, connectors });
      if (live.screen.tty)
        console.error(`(from now on, lines the Kafka client and the hub print go to ${live.screen.logFile}; the table says how many)\n`);
      live.start();
      // The stop's own messages ("stopping…") must not be drawn over or kept in the log file.
      signal.addEventListener('abort', () => live.stop(), { once: true });
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
        live.screen.note('the simulated population is fully published; the hub keeps running until Ctrl-C');
        await untilAborted(signal);
      }
      live.stop();
      await stop();
      live.printFinal();
    }),
  );
}
