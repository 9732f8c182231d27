// Integration tests run on the real Kafka and FerretDB. Before any test file loads, make sure
// they are up (starting the local stack unless KAFKA_BROKERS / MONGODB_URI name other servers),
// and hand their addresses to the test workers, which run in other processes and see them
// only through vitest's provide/inject (read them with testEndpoints() from ./endpoints.ts).
//
// Jaeger is part of it when the stack was brought up with tracing (`dancu stack up --with-tracing`,
// as .ci/run does) or DANCU_TRACING=1 asks for it; otherwise the tracing test is skipped, so a
// plain `npm test` on a fresh machine does not spend minutes building Jaeger (about 6 on 2 idle cores).
//
// The stack is left running afterwards: the next run starts in a second, and CI stops it itself.
import type { TestProject } from 'vitest/node';
import { ensureGrpcurl } from '../deploy/local/grpcurl.ts';
import { ensurePromtool } from '../deploy/local/promtool.ts';
import { ensureStack, tracingStackRunning } from '../deploy/local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    mongodbUri: string;
    /** grpcurl, for the tests that prove a client that is not ours works. */
    grpcurl: string;
    /** promtool, for `promtool test rules` on deploy/prometheus/. */
    promtool: string;
    /** Empty when the stack runs without Jaeger. */
    otlpEndpoint: string;
    jaegerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const withTracing = process.env.DANCU_TRACING === '1' || tracingStackRunning();
  const stack = await ensureStack({ log: (line) => console.log(`[stack] ${line}`), withTracing });
  project.provide('kafkaBrokers', stack.kafkaBrokers);
  project.provide('mongodbUri', stack.mongodbUri);
  project.provide('grpcurl', await ensureGrpcurl((line) => console.log(`[grpcurl] ${line}`)));
  project.provide('promtool', await ensurePromtool((line) => console.log(`[promtool] ${line}`)));
  project.provide('otlpEndpoint', stack.tracing?.otlpEndpoint ?? '');
  project.provide('jaegerUrl', stack.tracing?.jaegerUrl ?? '');
}
