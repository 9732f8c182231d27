// Where the integration tests' Kafka and MongoDB-compatible store are, as test/global-setup.ts
// found them. Call it inside tests or hooks: inject() works only in a vitest worker.
import { inject } from 'vitest';

export function testEndpoints(): { kafkaBrokers: string[]; mongodbUri: string } {
  return { kafkaBrokers: inject('kafkaBrokers'), mongodbUri: inject('mongodbUri') };
}
