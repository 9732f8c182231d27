// Jaeger all-in-one is built from source with the local Go toolchain, once, into the cache.
//
// Why not simply `go install github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0`: Jaeger's go.mod
// has a replace directive (an old Shopify/sarama pin), and `go install pkg@version` refuses any
// module that has one. A throwaway tools module (`go mod init` + `go get -tool`) requires Jaeger
// like any dependency, so the replace simply does not apply, and builds the program from the module
// cache without editing any source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCommand } from './command.ts';
import { JAEGER_VERSION, stackLocations } from './locations.ts';
import { StackError } from './stack-error.ts';
import { requireTool } from './toolchain.ts';

const PROGRAM = 'github.com/jaegertracing/jaeger/cmd/jaeger';

/** The path of a working Jaeger binary of the pinned version, building it first if needed. */
export async function ensureJaegerBinary(log: (line: string) => void): Promise<string> {
  const { cacheDir, jaeger } = stackLocations();
  const binary = jaeger.binary;
  if (starts(binary)) return binary;

  const what = `Building Jaeger ${JAEGER_VERSION}`;
  const go = requireTool(
    'go',
    `build Jaeger ${JAEGER_VERSION}`,
    'run `dancu stack up` without --with-tracing (records then carry trace ids, but nothing collects spans)',
  );
  log(`Building Jaeger ${JAEGER_VERSION} with Go into ${binary} (first use only; about 25 minutes on 2 cores)…`);
  const started = Date.now();
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false', '-trimpath'].filter(Boolean).join(' '),
  };
  const toolsDir = join(cacheDir, 'build', `jaeger-tools-${JAEGER_VERSION}-${process.pid}`);
  const partial = `${binary}.partial-${process.pid}`;
  const go_ = (args: string[]) => runCommand(go, args, { cwd: toolsDir, env, what, failure: 'build-failed' });
  try {
    rmSync(toolsDir, { recursive: true, force: true });
    mkdirSync(toolsDir, { recursive: true });
    mkdirSync(dirname(binary), { recursive: true });
    await go_(['mod', 'init', 'dancu.local/jaeger-tools']);
    await go_(['get', '-tool', `${PROGRAM}@${JAEGER_VERSION}`]);
    await go_(['build', '-o', partial, PROGRAM]);
    if (!starts(partial)) {
      throw new StackError('build-failed', `The Jaeger binary built from ${toolsDir} does not start; run \`${partial} version\` to see why.`, false);
    }
    renameSync(partial, binary);
  } finally {
    rmSync(toolsDir, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  log(`Built Jaeger in ${Math.round((Date.now() - started) / 1000)} s.`);
  return binary;
}

/** The binary's name pins the version; asking it for its version catches a broken or partial file. */
function starts(binary: string): boolean {
  if (!existsSync(binary)) return false;
  const result = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0;
}
