// The local trace collector and viewer: Jaeger all-in-one (`dancu stack up --with-tracing`), keeping
// traces in memory only. Everything it opens listens on loopback: OTLP over gRPC and HTTP for the
// spans, the query UI/API for people and tests, and a health endpoint. Jaeger's defaults would
// also open Jaeger/Zipkin receivers, a sampling server and debug pages; we need none of them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureJaegerBinary } from './jaeger-build.ts';
import { ADDRESSES, JAEGER_VERSION, stackLocations } from './locations.ts';
import type { LocalService } from './service.ts';

/** Where a process sends spans: OTEL_EXPORTER_OTLP_ENDPOINT for the local Jaeger. */
export const LOCAL_OTLP_ENDPOINT = `http://${ADDRESSES.jaegerOtlpHttp}`;
/** The Jaeger UI, and its HTTP API under /api. */
export const LOCAL_JAEGER_UI = `http://${ADDRESSES.jaegerQuery}`;

/** Traces kept in memory; the oldest go first. Enough for a day of `dancu start` at its default rate. */
const MAX_TRACES = 100_000;

function configYaml(): string {
  return `# Written by dancu on every start of the local Jaeger; edit deploy/local/jaeger.ts instead.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn

extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: ${ADDRESSES.jaegerHealth}
  jaeger_query:
    # Jaeger tracing its own queries would fill the service list with noise.
    enable_tracing: false
    http:
      endpoint: ${ADDRESSES.jaegerQuery}
    grpc:
      endpoint: ${ADDRESSES.jaegerQueryGrpc}
    storage:
      traces: memory_store
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: ${MAX_TRACES}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${ADDRESSES.jaegerOtlpGrpc}
      http:
        endpoint: ${ADDRESSES.jaegerOtlpHttp}

processors:
  batch:

exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
`;
}

export function jaegerService(): LocalService {
  const { homeDir, jaeger: where } = stackLocations();
  return {
    name: 'jaeger',
    title: `Jaeger ${JAEGER_VERSION}`,
    address: ADDRESSES.jaegerQuery,
    listensOn: [
      ADDRESSES.jaegerOtlpGrpc,
      ADDRESSES.jaegerOtlpHttp,
      ADDRESSES.jaegerQuery,
      ADDRESSES.jaegerQueryGrpc,
      ADDRESSES.jaegerHealth,
    ],
    dataDir: '(in memory)',
    logFile: where.logFile,
    pidFile: where.pidFile,
    marker: `--config=${where.configFile}`,
    stopGraceMs: 10_000,
    readyTimeoutMs: 60_000,
    async prepare(log) {
      const binary = await ensureJaegerBinary(log);
      mkdirSync(dirname(where.configFile), { recursive: true });
      writeFileSync(where.configFile, configYaml());
      return { command: binary, args: [`--config=${where.configFile}`], cwd: homeDir, logFile: where.logFile, pidFile: where.pidFile };
    },
    probe: probeJaeger,
  };
}

/** Jaeger answers its own query API (the one the tracing test reads traces from). */
async function probeJaeger(): Promise<void> {
  const response = await fetch(`${LOCAL_JAEGER_UI}/api/services`, { signal: AbortSignal.timeout(1_500) });
  if (!response.ok) throw new Error(`GET /api/services answered ${response.status}`);
}
