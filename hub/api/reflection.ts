// Server reflection and health, so generic tools (grpcurl, grpc_health_probe) work without our
// .proto files. Reflection serves the descriptors buf compiled (proto/generate.sh) from the same files ts-proto
// generated proto/gen/ from, byte for byte: proto-loader's re-encoding of parsed files leaves
// the well-known types (google.protobuf.Value…) unresolvable for clients such as grpcurl.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';

const DESCRIPTORS = fileURLToPath(new URL('../../proto/gen/descriptors.binpb', import.meta.url));

/** The fully qualified names of the services the hub serves, as health and reflection name them. */
export const SERVICE_NAMES = [
  'dancu.exchange.v1.Exchange',
  'dancu.citizen.v1.SelfService',
  'dancu.registry.v1.Registry',
  'dancu.operations.v1.Operations',
] as const;

export function addReflection(server: Server): void {
  // The reflection service indexes files by name, first seen wins: ours come first.
  const compiled = { fileDescriptorProtos: fileDescriptorProtos(readFileSync(DESCRIPTORS)) } as unknown as PackageDefinition[string];
  const definition: PackageDefinition = { 'dancu.descriptors': compiled };
  new ReflectionService(definition).addToServer(server);
}

/** The FileDescriptorProto messages of a FileDescriptorSet (`repeated FileDescriptorProto file = 1`), undecoded. */
function fileDescriptorProtos(set: Uint8Array): Buffer[] {
  const reader = new BinaryReader(set);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}

/** What the hub sets in grpc.health.v1. */
export interface HealthReport {
  /** The hub's own services and the overall '' entry, all together. */
  setServing(serving: boolean): void;
  /** One connector, as the service `dancu.connector.<id>`. */
  setConnector(connectorId: string, serving: boolean): void;
}

/** Health per service plus the overall '' entry, and one entry per connector. */
export function addHealth(server: Server): HealthReport {
  const health = new HealthImplementation({
    '': 'SERVING',
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, 'SERVING' as const])),
  });
  health.addToServer(server);
  return {
    setServing(serving) {
      for (const name of ['', ...SERVICE_NAMES]) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    setConnector(connectorId, serving) {
      health.setStatus(`dancu.connector.${connectorId}`, serving ? 'SERVING' : 'NOT_SERVING');
    },
  };
}
