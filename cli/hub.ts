import type { Command } from 'commander';
import { type ApiFlags, addApiOptions, startHubProcess } from './hub-process.ts';
import { hubWorkerNumber, runHubPrimary, runHubWorker } from './hub-workers.ts';
import { LiveCounts } from './live-counts.ts';
import { DEFAULT_ADMIN_PORT, databaseName, parsePort, parsePositiveInt } from './settings.ts';
import { onShutdown, untilAborted, withTracing } from './shutdown.ts';

export function registerHubCommand(program: Command): void {
  const command = program
    .command('hub')
    .description(
      'Run the hub: consume the four source topics, validate every record again, apply accepted events ' +
        'to the population store (with full history), dead-letter the rest to dancu.dlq.v1 and publish ' +
        'changes to dancu.changes.v1; and serve the gRPC API (Exchange, SelfService, Registry) on mutual ' +
        'TLS, every call enforced and journaled. Run as many as you like with the same --group: they share ' +
        'the ingest, and each journals on a hash chain of its own, named by DANCU_INSTANCE_ID (default ' +
        '<host>-<pid>). Runs until Ctrl-C. Uses KAFKA_BROKERS / MONGODB_URI if set, otherwise brings up the local stack.',
    )
    .option('--group <id>', 'Kafka consumer group; instances with the same group share the partitions', 'dancu-hub')
    .option(
      '--session-timeout <ms>',
      'how long Kafka waits for a silent hub instance before moving its partitions to another (at least 6000)',
      (value) => parsePositiveInt(value, '--session-timeout'),
      30_000,
    )
    .option(
      '--admin-port <port>',
      'HTTP port on 127.0.0.1 for the dashboard (/), /metrics (Prometheus), /healthz, /readyz and /connectors; 0 picks a free one',
      (value) => parsePort(value, '--admin-port'),
      parsePort(process.env.DANCU_ADMIN_PORT ?? DEFAULT_ADMIN_PORT, 'DANCU_ADMIN_PORT'),
    )
    .option(
      '--workers <n>',
      'hub processes to run as one (node:cluster), one per core is the most that helps: each a whole hub instance journaling on ' +
        'a chain of its own (<instance>-w<k>), sharing the gRPC port (each new connection goes to the next worker; a connection ' +
        "stays on its worker) and the ingest; the admin port shows every worker's metrics (label `worker`), is ready when all are, " +
        'and serves the dashboard from worker 1',
      (value) => parsePositiveInt(value, '--workers'),
      1,
    );
  addApiOptions(command).action(
    async (options: { group: string; sessionTimeout: number; adminPort: number; workers: number } & ApiFlags) => {
      const worker = hubWorkerNumber();
      if (worker !== undefined) {
        // A worker's IPC channel would keep it alive after the hub stopped: it exits by itself.
        const code = await runHubWorker(options, worker).catch((error: unknown) => {
          console.error(`dancu hub worker ${worker}: ${error instanceof Error ? error.message : String(error)}`);
          return 1;
        });
        process.exit(code);
      }
      if (options.workers > 1) {
        process.exitCode = await runHubPrimary(options, options.workers);
        return;
      }
      await withTracing(async (tracing) => {
        const signal = onShutdown();
        const { stack, instance, hub, api, admin, stop } = await startHubProcess(options, {
          createPkiIfMissing: false,
          adminPort: options.adminPort,
          tracing,
          groupId: options.group,
          sessionTimeoutMs: options.sessionTimeout,
        });
        console.error(
          `hub running: instance ${instance}, Kafka ${stack.kafkaBrokers.join(',')}, store ${databaseName()}, gRPC ${options.grpcAddress} (port ${api.port}), dashboard ${admin.url}/, metrics ${admin.url}/metrics; Ctrl-C to stop`,
        );
        const live = new LiveCounts({ hub, logName: 'hub' });
        live.start();
        await untilAborted(signal);
        live.stop();
        await stop();
        live.printFinal();
      });
    },
  );
}
