// Server reflection and health, so generic tools (grpcurl, grpc_health_probe) work without our
// .proto files. Reflection describes the same files ts-proto generated proto/gen/ from.
import { fileURLToPath } from 'node:url';
import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));

export const API_PROTO_FILES = ['dancu/exchange/v1/exchange.proto', 'dancu/citizen/v1/self_service.proto', 'dancu/registry/v1/registry.proto'] as const;

/** The fully qualified names of the services the hub serves, as health and reflection name them. */
export const SERVICE_NAMES = ['dancu.exchange.v1.Exchange', 'dancu.citizen.v1.SelfService', 'dancu.registry.v1.Registry'] as const;

export function addReflection(server: Server): void {
  const definition = loadSync([...API_PROTO_FILES, healthProtoPath], { includeDirs: [PROTO_ROOT], keepCase: true, defaults: true, oneofs: true });
  new ReflectionService(definition).addToServer(server);
}

/** Health per service plus the overall '' entry; the hub flips them to NOT_SERVING when the store or journal fails. */
export function addHealth(server: Server): HealthImplementation {
  const health = new HealthImplementation({ '': 'SERVING', ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, 'SERVING' as const])) });
  health.addToServer(server);
  return health;
}
