// Jaeger all-in-one, built from its Go module once into the cache (see go-program.ts for how and
// why not `go install`: Jaeger's go.mod has a replace directive, an old Shopify/sarama pin).
import { spawnSync } from 'node:child_process';
import { ensureGoProgram } from './go-program.ts';
import { JAEGER_VERSION, stackLocations } from './locations.ts';

/** The path of a working Jaeger binary of the pinned version, building it first if needed. */
export function ensureJaegerBinary(log: (line: string) => void): Promise<string> {
  return ensureGoProgram(
    {
      name: `Jaeger ${JAEGER_VERSION}`,
      program: 'github.com/jaegertracing/jaeger/cmd/jaeger',
      version: JAEGER_VERSION,
      binary: stackLocations().jaeger.binary,
      // Asking it for its version catches a broken or partial file.
      works: (binary) => spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 20_000 }).status === 0,
      expected: 'about 6 minutes on 2 idle cores, about 10 minutes of CPU',
      instead: 'run `dancu stack up` without --with-tracing (records then carry trace ids, but nothing collects spans)',
    },
    log,
  );
}
