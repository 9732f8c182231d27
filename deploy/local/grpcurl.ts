// grpcurl, a gRPC client that is not ours, proves the hub's API works with standard tools
// (reflection, mutual TLS). Built once from its Go module into the cache (go-program.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureGoProgram } from './go-program.ts';
import { stackLocations } from './locations.ts';

export const GRPCURL_VERSION = 'v1.9.3';

/** The path of grpcurl at the pinned version, building it first if needed (a few minutes, once). */
export function ensureGrpcurl(log: (line: string) => void): Promise<string> {
  return ensureGoProgram(
    {
      name: `grpcurl ${GRPCURL_VERSION}`,
      program: 'github.com/fullstorydev/grpcurl/cmd/grpcurl',
      version: GRPCURL_VERSION,
      binary: join(stackLocations().cacheDir, 'bin', `grpcurl-${GRPCURL_VERSION}`),
      works: (binary) => spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 20_000 }).status === 0,
      expected: 'about a minute',
    },
    log,
  );
}
