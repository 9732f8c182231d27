// Programs we build once from a pinned Go module into the cache (Jaeger, grpcurl). A throwaway
// tools module (`go mod init` + `go get -tool`) requires the program like any dependency, so it
// builds whether or not the program's own go.mod has replace directives (which make a plain
// `go install pkg@version` refuse, as Jaeger's does), and never edits any source.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCommand } from './command.ts';
import { stackLocations } from './locations.ts';
import { StackError } from './stack-error.ts';
import { requireTool } from './toolchain.ts';

export interface GoProgram {
  /** What it is called in messages, e.g. "Jaeger v1.76.0". */
  name: string;
  /** The Go package path of the program, e.g. github.com/jaegertracing/jaeger/cmd/jaeger. */
  program: string;
  version: string;
  /** Where the built binary lives (its name pins the version). */
  binary: string;
  /** Whether a file at that path is a working build (a broken or partial file is rebuilt). */
  works: (binary: string) => boolean;
  /** How long a first build takes, for the log line. */
  expected: string;
  /** What to do instead when Go is missing. */
  instead?: string;
  /** Go build tags, e.g. to leave out parts of the program we do not use. */
  tags?: string[];
}

/** The path of a working binary of the pinned version, building it first if needed. */
export async function ensureGoProgram(spec: GoProgram, log: (line: string) => void): Promise<string> {
  if (existsSync(spec.binary) && spec.works(spec.binary)) return spec.binary;
  const go = requireTool('go', `build ${spec.name}`, ...(spec.instead ? [spec.instead] : []));
  log(`Building ${spec.name} with Go into ${spec.binary} (first use only; ${spec.expected})…`);
  const started = Date.now();
  const what = `Building ${spec.name}`;
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false', '-trimpath'].filter(Boolean).join(' '),
  };
  const toolsDir = join(stackLocations().cacheDir, 'build', `${spec.name.replace(/[^A-Za-z0-9.-]+/g, '-')}-tools-${process.pid}`);
  const partial = `${spec.binary}.partial-${process.pid}`;
  const goIn = (args: string[]) => runCommand(go, args, { cwd: toolsDir, env, what, failure: 'build-failed' });
  try {
    rmSync(toolsDir, { recursive: true, force: true });
    mkdirSync(toolsDir, { recursive: true });
    mkdirSync(dirname(spec.binary), { recursive: true });
    await goIn(['mod', 'init', 'dancu.local/tools']);
    await goIn(['get', '-tool', `${spec.program}@${spec.version}`]);
    await goIn(['build', ...(spec.tags?.length ? ['-tags', spec.tags.join(',')] : []), '-o', partial, spec.program]);
    if (!spec.works(partial)) throw new StackError('build-failed', `The ${spec.name} binary built from ${toolsDir} does not start.`, false);
    renameSync(partial, spec.binary);
  } finally {
    rmSync(toolsDir, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  log(`Built ${spec.name} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return spec.binary;
}
