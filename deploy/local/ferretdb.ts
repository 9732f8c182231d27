// The local MongoDB-compatible store: FerretDB on its SQLite backend, one file per database in
// the data directory, so it needs no other server.
import { mkdirSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { ensureFerretdbBinary } from './ferretdb-build.ts';
import { ADDRESSES, FERRETDB_VERSION, stackLocations } from './locations.ts';
import type { LocalService } from './service.ts';

export const LOCAL_MONGODB_URI = `mongodb://${ADDRESSES.ferretdb}/`;

export function ferretdbService(): LocalService {
  const { homeDir, ferretdb: where } = stackLocations();
  // FerretDB wants the SQLite URL to name a directory, with the trailing slash. The pragmas are
  // FerretDB's own defaults (it adds busy_timeout, WAL and auto_vacuum when absent) plus one:
  // synchronous(NORMAL). In WAL mode SQLite then syncs the log at checkpoints instead of at every
  // commit; FerretDB commits every write command on its own (each replaced document, before the
  // fifth fix of ferretdb-build.ts), so FULL costs one fsync per command. A crash of FerretDB or
  // of any client loses nothing; a power cut or kernel crash may lose the last commits —
  // acceptable for the development store, never for MongoDB in production (deploy/), whose
  // journal and write concern decide that.
  const sqliteUrl = `file:${where.dataDir}/?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)`;
  return {
    name: 'ferretdb',
    title: `FerretDB ${FERRETDB_VERSION}`,
    address: ADDRESSES.ferretdb,
    listensOn: [ADDRESSES.ferretdb],
    dataDir: where.dataDir,
    logFile: where.logFile,
    pidFile: where.pidFile,
    marker: `--sqlite-url=${sqliteUrl}`,
    stopGraceMs: 10_000,
    readyTimeoutMs: 30_000,
    async prepare(log) {
      const binary = await ensureFerretdbBinary(log);
      mkdirSync(where.dataDir, { recursive: true });
      mkdirSync(where.stateDir, { recursive: true });
      return {
        command: binary,
        args: [
          '--handler=sqlite',
          `--sqlite-url=${sqliteUrl}`,
          `--listen-addr=${ADDRESSES.ferretdb}`,
          `--state-dir=${where.stateDir}`,
          '--telemetry=disable',
          // Its debug HTTP listener defaults to 127.0.0.1:8088, which other tools often hold.
          '--debug-addr=-',
          // At INFO it logs every connection; warnings and errors are what a person needs from this log.
          '--log-level=warn',
        ],
        cwd: homeDir,
        // Go's collector at GOGC=400 (Go's default is 100) unless the environment names one: FerretDB
        // allocates as it decodes and encodes every document it reads or replaces, and at the default
        // it collects each time it has allocated as much again as its live heap, which is small.
        // Measured (BENCHMARKS.md, "FerretDB's garbage collector"): bench:ingest at 100,000 events,
        // alternating, the hub 1,363–1,381 → 1,574–1,639 events/s; FerretDB's RSS after 200,000
        // events 75 MB. GOGC=off with GOMEMLIMIT=512MiB did no better and held 529 MB.
        env: { GOGC: '400', ...process.env, DO_NOT_TRACK: '1' },
        logFile: where.logFile,
        pidFile: where.pidFile,
      };
    },
    probe: () => probeMongodb(LOCAL_MONGODB_URI),
  };
}

/** A ping through the real driver, the way the hub will talk to it. */
export async function probeMongodb(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_500, connectTimeoutMS: 1_500 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}
