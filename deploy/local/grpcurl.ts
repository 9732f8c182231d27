// grpcurl, a gRPC client that is not ours, proves the hub's API works with standard tools
// (reflection, mutual TLS). Built once with the local Go toolchain into the cache.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './command.ts';
import { stackLocations } from './locations.ts';
import { requireTool } from './toolchain.ts';

export const GRPCURL_VERSION = 'v1.9.3';

/** The path of grpcurl at the pinned version, building it first if needed (a few minutes, once). */
export async function ensureGrpcurl(log: (line: string) => void): Promise<string> {
  const binDir = join(stackLocations().cacheDir, 'bin');
  const binary = join(binDir, `grpcurl-${GRPCURL_VERSION}`);
  if (existsSync(binary)) return binary;
  const go = requireTool('go', `build grpcurl ${GRPCURL_VERSION}`);
  log(`Building grpcurl ${GRPCURL_VERSION} with Go into ${binary} (first use only, a few minutes)…`);
  const started = Date.now();
  const buildDir = join(binDir, `.grpcurl-build-${process.pid}`);
  mkdirSync(buildDir, { recursive: true });
  try {
    await runCommand(go, ['install', `github.com/fullstorydev/grpcurl/cmd/grpcurl@${GRPCURL_VERSION}`], {
    cwd: tmpdir(),
    env: { ...process.env, GOBIN: buildDir, CGO_ENABLED: '0', GOFLAGS: [process.env.GOFLAGS, '-trimpath'].filter(Boolean).join(' ') },
    what: `Building grpcurl ${GRPCURL_VERSION}`,
    failure: 'build-failed',
    });
    renameSync(join(buildDir, 'grpcurl'), binary);
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  log(`Built grpcurl in ${Math.round((Date.now() - started) / 1000)} s.`);
  return binary;
}
