// `dancu stack up | down | status`: the local Kafka and FerretDB that development and tests run on, and Jaeger on request.
import type { Command } from 'commander';
import { ensureGrpcurl } from '../deploy/local/grpcurl.ts';
import { KAFKA_CLUSTER_SIZES, type KafkaClusterSize, kafkaNodeAddresses } from '../deploy/local/locations.ts';
import { ensurePromtool } from '../deploy/local/promtool.ts';
import { LOCAL_JAEGER_UI, LOCAL_OTLP_ENDPOINT, type ServiceStatus, stackDown, stackStatus, stackUp } from '../deploy/local/stack.ts';

const say = (line: string) => console.log(line);

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'Run Kafka and FerretDB (a MongoDB-compatible store) locally on 127.0.0.1, as background processes. ' +
        'Kafka listens on 127.0.0.1:9092 (plaintext, unauthenticated: a development shortcut for the hub and tests) ' +
        "and 127.0.0.1:9094 (TLS with client certificates from the hub's CA and ACLs: what sources use); " +
        'DANCU_KAFKA_PORT moves them (node n: that port + 10·(n−1), controller +1, TLS +2). ' +
        'KAFKA_BROKERS or MONGODB_URI, when set, name servers to use instead; that service is then left alone. ' +
        'Data and logs live in DANCU_HOME (default <repo>/.dancu); downloads and builds in DANCU_CACHE (default ~/.cache/dancu).',
    );

  stack
    .command('up')
    .description(
      'Start Kafka (127.0.0.1:9092, TLS 127.0.0.1:9094) and FerretDB (127.0.0.1:27017) unless already running, and wait until both answer. ' +
        "Creates the hub's PKI if missing, issues the broker's TLS certificate from it, and writes the ACLs of kafka/access.ts. " +
        'The first run fetches the Kafka jars with Maven and builds FerretDB with Go (needs java 17+, mvn, go; a few minutes).',
    )
    .option(
      '--brokers <n>',
      'Kafka nodes: 1 (default) or 3, a real KRaft quorum on 127.0.0.1:9092, :9102, :9112 whose topics get 3 replicas ' +
        'and min.insync.replicas 2 (its own data; `stack down` before switching sizes)',
    )
    .option(
      '--with-tracing',
      'also run Jaeger all-in-one (traces in memory; OTLP on 127.0.0.1:4317/4318, UI on 127.0.0.1:16686); ' +
        'its first use builds it with Go, about 6 minutes on 2 idle cores',
    )
    .action(async (options: { withTracing?: boolean; brokers?: string }) => {
      const brokers = options.brokers === undefined ? undefined : clusterSize(options.brokers);
      const reports = await stackUp({ log: say, withTracing: options.withTracing ?? false, ...(brokers ? { brokers } : {}) });
      const started = reports.filter((report) => report.outcome === 'started').length;
      say(started === 0 ? 'Nothing to start.' : `Stack is up. \`dancu stack down\` stops it.`);
      if (reports.some((report) => report.service === 'kafka' && report.outcome !== 'replaced-by-environment')) {
        const nodes = Array.from({ length: brokers ?? reports.filter((report) => report.service === 'kafka').length }, (_, index) =>
          kafkaNodeAddresses(index + 1),
        );
        say(
          `Kafka: plaintext ${nodes.map((node) => node.plaintext).join(',')} (development only, unauthenticated); ` +
            `TLS ${nodes.map((node) => node.tls).join(',')} (client certificates from the hub's CA, ACLs: for sources, \`dancu pki issue --source\`).`,
        );
      }
      if (options.withTracing) {
        say(
          `Traces: export OTEL_EXPORTER_OTLP_ENDPOINT=${LOCAL_OTLP_ENDPOINT} before running dancu; see them in the dashboard's trace view (it reads Jaeger's API at ${LOCAL_JAEGER_UI})`,
        );
      }
    });

  stack
    .command('down')
    .description(
      "Stop the local Kafka, FerretDB and Jaeger (SIGTERM, then SIGKILL after a grace period). Kafka and FerretDB keep their data; Jaeger's traces were in memory.",
    )
    .action(async () => {
      await stackDown({ log: say });
    });

  stack
    .command('tools')
    .description(
      'Build the Go programs the tests use into DANCU_CACHE, unless already there: grpcurl (a gRPC client that is not ours) and ' +
        "promtool (Prometheus' checker, for the alert rules in deploy/prometheus/). Needs go; first use takes minutes. " +
        '`npm test` builds them itself when missing; CI runs this first to time it.',
    )
    .action(async () => {
      say(`grpcurl: ${await ensureGrpcurl(say)}`);
      say(`promtool: ${await ensurePromtool(say)}`);
    });

  stack
    .command('status')
    .description('Show, for each local service, whether it runs and answers, its pid, address, data directory and log.')
    .option('--json', 'print the status as JSON, for scripts')
    .action(async (options: { json?: boolean }) => {
      const statuses = await stackStatus();
      say(options.json ? JSON.stringify(statuses, null, 2) : statuses.map(describe).join('\n\n'));
    });
}

function clusterSize(text: string): KafkaClusterSize {
  const size = KAFKA_CLUSTER_SIZES.find((candidate) => String(candidate) === text.trim());
  if (size === undefined) throw new Error(`--brokers must be ${KAFKA_CLUSTER_SIZES.join(' or ')}, not ${JSON.stringify(text)}`);
  return size;
}

function describe(status: ServiceStatus): string {
  const state = !status.running
    ? 'not running'
    : status.answering
      ? `running (pid ${status.pid})`
      : `running (pid ${status.pid}) but not answering`;
  const lines = [
    `${status.title}: ${state}`,
    `  address   ${status.address}`,
    `  data      ${status.dataDir}`,
    `  log       ${status.logFile}`,
  ];
  if (status.replacedBy) lines.push(`  note      ${status.replacedBy} is set, so dancu uses that server instead`);
  return lines.join('\n');
}
