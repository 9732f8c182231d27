// promtool, Prometheus' own checker, unit-tests the alerting rules in deploy/prometheus/ (`promtool
// test rules`). Built once from Prometheus' Go module into the cache (go-program.ts). Prometheus
// tags its Go module v0.3xx.y for release 3.xx.y: v0.316.0 is Prometheus 3.16.0. Built with the
// tag remove_all_sd, which leaves out the service-discovery plugins (AWS, Azure, GCE …): rule tests
// need none, and their cloud SDKs were most of the build time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureGoProgram } from './go-program.ts';
import { stackLocations } from './locations.ts';

export const PROMETHEUS_MODULE_VERSION = 'v0.316.0';

/** The path of promtool at the pinned version, building it first if needed (minutes, once). */
export function ensurePromtool(log: (line: string) => void): Promise<string> {
  return ensureGoProgram(
    {
      name: `promtool ${PROMETHEUS_MODULE_VERSION}`,
      program: 'github.com/prometheus/prometheus/cmd/promtool',
      version: PROMETHEUS_MODULE_VERSION,
      binary: join(stackLocations().cacheDir, 'bin', `promtool-${PROMETHEUS_MODULE_VERSION}`),
      tags: ['remove_all_sd'],
      works: (binary) => spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 }).status === 0,
      expected: 'about 3 minutes on 2 idle cores',
    },
    log,
  );
}
