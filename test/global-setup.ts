// Integration tests run on the real Kafka and FerretDB. Before any test file loads, make sure
// they are up (starting the local stack unless KAFKA_BROKERS / MONGODB_URI name other servers),
// and hand their addresses to the test workers, which run in other processes and see them
// only through vitest's provide/inject (read them with testEndpoints() from ./endpoints.ts).
//
// The stack is left running afterwards: the next run starts in a second, and CI stops it itself.
import type { TestProject } from 'vitest/node';
import { ensureStack } from '../deploy/local/stack.ts';
import { ensureGrpcurl } from '../deploy/local/grpcurl.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    mongodbUri: string;
    /** grpcurl, for the tests that prove a client that is not ours works. */
    grpcurl: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const stack = await ensureStack({ log: (line) => console.log(`[stack] ${line}`) });
  project.provide('kafkaBrokers', stack.kafkaBrokers);
  project.provide('mongodbUri', stack.mongodbUri);
  project.provide('grpcurl', await ensureGrpcurl((line) => console.log(`[grpcurl] ${line}`)));
}
