// Where the integration tests' Kafka and MongoDB-compatible store are, as test/global-setup.ts
// found them. Call it inside tests or hooks: inject() works only in a vitest worker.
import { inject } from 'vitest';

export function testEndpoints(): { kafkaBrokers: string[]; mongodbUri: string } {
  return { kafkaBrokers: inject('kafkaBrokers'), mongodbUri: inject('mongodbUri') };
}

/** The local Jaeger's OTLP endpoint and UI, or undefined when the stack runs without tracing. */
export function testTracing(): { otlpEndpoint: string; jaegerUrl: string } | undefined {
  const otlpEndpoint = inject('otlpEndpoint');
  const jaegerUrl = inject('jaegerUrl');
  return otlpEndpoint && jaegerUrl ? { otlpEndpoint, jaegerUrl } : undefined;
}
