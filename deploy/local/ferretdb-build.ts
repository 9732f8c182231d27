// FerretDB is built from source with the local Go toolchain, once, into the cache.
//
// Why not simply `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the published
// module lacks build/version/version.txt (FerretDB's release tooling generates it), and a binary
// built that way panics at start-up with "Invalid build/version/version.txt file content". So we
// copy the module source, add that one file, and build it as FerretDB's own release does.
//
// Six fixes are applied to the copy. The first (ID_INDEX_FIX below): v1.24.2's SQLite backend filters by `_id`
// with the expression `_ferretdb_sjson->'$._id'`, while the unique index it creates on every
// collection is on `_ferretdb_sjson->"_id"`. SQLite only uses an expression index for the very
// same expression, so every lookup, update and delete by `_id` scanned the whole table
// (EXPLAIN QUERY PLAN: "SCAN"), which made a 100,000-citizen store unusable. With the filter
// written like the index, the same queries "SEARCH … USING INDEX". Both expressions select the
// same JSON value, so results do not change.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from './command.ts';
import { FERRETDB_VERSION, stackLocations } from './locations.ts';
import { StackError } from './stack-error.ts';
import { requireTool } from './toolchain.ts';

const MODULE = 'github.com/FerretDB/FerretDB';

interface SourceFix {
  file: string;
  from: string;
  to: string;
  /** How many times `from` occurs (each is replaced). */
  occurrences: number;
}

const ID_INDEX_FIX: SourceFix = {
  file: join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: `IDColumn = DefaultColumn + "->'_id'"`,
  occurrences: 1,
};

// The second fix (ID_PUSHDOWN_FIX): the SQLite backend looks a document up by its `_id` index only
// when the filter is `{_id}` alone; `{_id, revision}` — the population store's compare-and-set
// replace — scanned the whole collection. Now any filter naming a string `_id` narrows the SQL
// query to that row. Every handler (find, update, delete, count, …) applies the full filter to
// what the query returns, as it does for the `{_id}` case (pushdown is only ever a pre-filter),
// so results do not change.
const ID_PUSHDOWN_FIX: SourceFix = {
  file: join('internal', 'backends', 'sqlite', 'collection.go'),
  from: 'if params.Filter.Len() == 1 {',
  to: 'if params.Filter.Has("_id") {',
  occurrences: 2, // Query and Explain
};

// The third fix (UPDATE_CURSOR_FIX): the update command keeps each statement's query open (a
// `defer` inside its loop over statements) until the whole command ends, so a command of n
// replacements holds n SQLite connections and, past about sixty, exhausts the pool of 100 and
// never answers; each open read also pins the WAL, so checkpoints cannot finish meanwhile. Each
// statement's query is now closed as soon as the statement is done (closing twice is harmless).
const UPDATE_CURSOR_FIX: SourceFix = {
  file: join('internal', 'handler', 'msg_update.go'),
  from: 'result, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
  to: 'result, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
  occurrences: 1,
};

// The fourth fix (ID_IN_PUSHDOWN_FIX): a filter `{_id: {$in: [...]}}` of string ids was evaluated
// by scanning the whole collection; now the query reads just those rows through the `_id` index
// (`WHERE <_id> IN (…)`, at most 1,000 ids, else the scan as before). As with the other pushdowns
// this is only a pre-filter: the handler still applies the whole filter to what it returns. The
// population store reads many citizens with one such query instead of one query per citizen.
/** FerretDB's pushdown of a single string `_id` (Query), which the `$in` case goes before. */
const SINGLE_ID_CASE = `		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
`;
const ID_IN_CASE = `		case *types.Document:
			// dancu: {_id: {$in: [strings]}} narrows the query to those rows through the _id index.
			if in, err := v.(*types.Document).Get("$in"); err == nil && v.(*types.Document).Len() == 1 {
				if ids, ok := in.(*types.Array); ok && ids.Len() > 0 && ids.Len() <= 1000 {
					marks := make([]string, 0, ids.Len())
					inArgs := make([]any, 0, ids.Len())
					for i := 0; i < ids.Len(); i++ {
						id, isString := must.NotFail(ids.Get(i)).(string)
						if !isString {
							inArgs = nil
							break
						}
						marks = append(marks, "?")
						inArgs = append(inArgs, string(must.NotFail(sjson.MarshalSingleValue(id))))
					}
					if inArgs != nil {
						whereClause = fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, strings.Join(marks, ", "))
						args = inArgs
					}
				}
			}
`;
const ID_IN_PUSHDOWN_FIX: SourceFix = {
  file: join('internal', 'backends', 'sqlite', 'collection.go'),
  from: SINGLE_ID_CASE,
  to: `${ID_IN_CASE}${SINGLE_ID_CASE}`,
  occurrences: 1, // Query only (Explain reports the scan)
};

// The fifth fix (REPLACE_BATCH_FIX): an update command whose statements each name a distinct
// string `_id`, update one document and never upsert — the population store's commands of
// compare-and-set replacements — writes the documents it modified in one transaction, after its
// last statement, instead of one transaction (and one commit) per statement. Such statements
// cannot see each other's writes (each matches only its own `_id`), so reading them all first
// gives what reading each after the one before gives. Every other command runs as before. A
// failed write fails the whole command, which the store treats as it treats any failed command
// (the round is retried; every write is idempotent). Measured at 100,000 events: the hub's
// replace step went from 48-49 s to 29-30 s of its lanes' time, and the hub from 2,538-2,574 to
// 2,888-2,905 events/s (BENCHMARKS.md).
const REPLACE_BATCH_FILE = {
  file: join('internal', 'handler', 'dancu_replace_batch.go'),
  text: `package handler

import (
\t"context"

\t"github.com/FerretDB/FerretDB/internal/backends"
\t"github.com/FerretDB/FerretDB/internal/handler/common"
\t"github.com/FerretDB/FerretDB/internal/types"
)

// dancu: see deploy/local/ferretdb-build.ts (REPLACE_BATCH_FIX) in the dancu repository.

// replaceBatch holds the documents an update command's statements modified, to write them at once.
type replaceBatch struct {
\ttarget backends.Collection
\tdocs   []*types.Document
}

// newReplaceBatch returns a batch when the statements cannot see each other's writes: each names
// one distinct string _id, updates one document and never upserts. Otherwise nil.
func newReplaceBatch(updates []common.Update) *replaceBatch {
\tif len(updates) < 2 {
\t\treturn nil
\t}
\tseen := make(map[string]struct{}, len(updates))
\tfor _, u := range updates {
\t\tid, ok := stringID(u)
\t\tif !ok || u.Multi || u.Upsert {
\t\t\treturn nil
\t\t}
\t\tif _, twice := seen[id]; twice {
\t\t\treturn nil
\t\t}
\t\tseen[id] = struct{}{}
\t}
\treturn new(replaceBatch)
}

// stringID is the string _id a statement's filter names, if it names one.
func stringID(u common.Update) (string, bool) {
\tif u.Filter == nil {
\t\treturn "", false
\t}
\tv, err := u.Filter.Get("_id")
\tif err != nil {
\t\treturn "", false
\t}
\tid, ok := v.(string)
\treturn id, ok
}

// batchedCollection keeps what a statement updates in its batch instead of writing it.
type batchedCollection struct {
\tbackends.Collection
\tbatch *replaceBatch
}

func (c batchedCollection) UpdateAll(_ context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
\tc.batch.target = c.Collection
\tc.batch.docs = append(c.batch.docs, params.Docs...)
\treturn &backends.UpdateAllResult{Updated: int32(len(params.Docs))}, nil
}

func (b *replaceBatch) wrap(c backends.Collection) backends.Collection {
\treturn batchedCollection{Collection: c, batch: b}
}

// flush writes every kept document in one transaction.
func (b *replaceBatch) flush(ctx context.Context) error {
\tif len(b.docs) == 0 {
\t\treturn nil
\t}
\t_, err := b.target.UpdateAll(ctx, &backends.UpdateAllParams{Docs: b.docs})
\treturn err
}
`,
};
const REPLACE_BATCH_FIXES: SourceFix[] = [
  {
    file: join('internal', 'handler', 'msg_update.go'),
    from: '\tfor _, u := range params.Updates {\n',
    to: '\tbatch := newReplaceBatch(params.Updates)\n\n\tfor _, u := range params.Updates {\n',
    occurrences: 1,
  },
  {
    file: join('internal', 'handler', 'msg_update.go'),
    // as UPDATE_CURSOR_FIX left it
    from: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    to: '\t\ttarget := c\n\t\tif batch != nil {\n\t\t\ttarget = batch.wrap(c)\n\t\t}\n\n\t\tresult, err := common.UpdateDocument(ctx, target, "update", iter, &u)\n',
    occurrences: 1,
  },
  {
    file: join('internal', 'handler', 'msg_update.go'),
    from: '\treturn matched, modified, &upserted, nil\n',
    to: '\tif batch != nil {\n\t\tif err := batch.flush(ctx); err != nil {\n\t\t\treturn 0, 0, nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n\treturn matched, modified, &upserted, nil\n',
    occurrences: 1,
  },
];

// The sixth fix (ID_LOCK_FIX): v1.24.2 runs an update statement as a query, then a write, with
// nothing to stop another command writing the same document in between: two writers replacing
// `{_id, revision: 5}` at once could both match and the later write would erase the earlier (a lost
// update). MongoDB applies a filtered update to a document atomically, and the population store's
// compare-and-set writes rely on that. Now an update command whose every statement names a string
// `_id` first locks those documents (a process-wide table of 65,536 locks, by hash of database,
// collection and `_id`, taken in ascending order so two commands never wait on each other in a
// cycle) and holds them until its writes are done; such commands on the same document therefore
// run one after the other, each seeing the other's write, as on MongoDB. Commands on different
// documents do not wait on each other, unless their ids share a lock (two commands of fifty
// documents do in about 4 % of cases, and then one waits for the other's write). Other writes (inserts, deletes, updates not naming a string `_id`) take no
// lock; the population store writes citizens only by insert (its unique `_id` decides) and by such
// updates. buildInfo says so in `ferretdbFeatures.dancuAtomicIdUpdates`, which the population store
// requires of a FerretDB (population-store.ts, requireAtomicUpdates).
const ID_LOCK_FILE = {
  file: join('internal', 'handler', 'dancu_id_locks.go'),
  text: `package handler

import (
\t"hash/maphash"
\t"slices"
\t"sync"

\t"github.com/FerretDB/FerretDB/internal/handler/common"
)

// dancu: see deploy/local/ferretdb-build.ts (ID_LOCK_FIX) in the dancu repository.

var (
\tidLocks    [1 << 16]sync.Mutex
\tidLockSeed = maphash.MakeSeed()
)

// lockIDs locks the documents of an update command whose every statement names a string _id, in
// ascending lock order, and returns what unlocks them; nil (nothing locked) otherwise.
func lockIDs(db, collection string, updates []common.Update) func() {
\tif len(updates) == 0 {
\t\treturn nil
\t}
\tstripes := make([]uint64, 0, len(updates))
\tfor _, u := range updates {
\t\tid, ok := stringID(u)
\t\tif !ok {
\t\t\treturn nil
\t\t}
\t\tstripes = append(stripes, maphash.String(idLockSeed, db+"\\x00"+collection+"\\x00"+id)%uint64(len(idLocks)))
\t}
\tslices.Sort(stripes)
\tstripes = slices.Compact(stripes)
\tfor _, s := range stripes {
\t\tidLocks[s].Lock()
\t}
\treturn func() {
\t\tfor _, s := range stripes {
\t\t\tidLocks[s].Unlock()
\t\t}
\t}
}
`,
};
const ID_LOCK_FIXES: SourceFix[] = [
  {
    file: join('internal', 'handler', 'msg_update.go'),
    // as REPLACE_BATCH_FIXES left it
    from: '\tbatch := newReplaceBatch(params.Updates)\n',
    to: '\tbatch := newReplaceBatch(params.Updates)\n\n\tif unlock := lockIDs(params.DB, params.Collection, params.Updates); unlock != nil {\n\t\tdefer unlock()\n\t}\n',
    occurrences: 1,
  },
  {
    file: join('internal', 'handler', 'msg_buildinfo.go'),
    from: '\t\t\t\t"aggregationStages", aggregationStages,\n',
    to: '\t\t\t\t"aggregationStages", aggregationStages,\n\t\t\t\t"dancuAtomicIdUpdates", true,\n',
    occurrences: 1,
  },
];

/** Every edit to FerretDB's own files, in the order applied (each fix after the one whose lines it edits). */
const SOURCE_FIXES: readonly SourceFix[] = [
  ID_INDEX_FIX,
  ID_PUSHDOWN_FIX,
  UPDATE_CURSOR_FIX,
  ID_IN_PUSHDOWN_FIX,
  ...REPLACE_BATCH_FIXES,
  ...ID_LOCK_FIXES,
];
/** Files added to FerretDB's handler package. */
const ADDED_FILES = [REPLACE_BATCH_FILE, ID_LOCK_FILE];

/** The path of a working FerretDB binary of the pinned version, building it first if needed. */
export async function ensureFerretdbBinary(log: (line: string) => void): Promise<string> {
  const { cacheDir, ferretdb } = stackLocations();
  const binary = ferretdb.binary;
  // Asking the binary itself also catches a broken one left by a plain `go install`.
  if (reportsVersion(binary, FERRETDB_VERSION)) return binary;

  const go = requireTool('go', `build FerretDB ${FERRETDB_VERSION}`);
  log(`Building FerretDB ${FERRETDB_VERSION} with Go into ${binary} (first use only, a few minutes)…`);
  const started = Date.now();
  const env = {
    ...process.env,
    // Pure Go (FerretDB's SQLite is modernc.org/sqlite), so no C compiler is needed.
    CGO_ENABLED: '0',
    GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false', '-trimpath'].filter(Boolean).join(' '),
  };
  const what = `Building FerretDB ${FERRETDB_VERSION}`;
  const download = await runCommand(go, ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], {
    cwd: tmpdir(), // outside any Go module, so no go.mod of ours is consulted or changed
    env,
    what,
    failure: 'build-failed',
  });
  const moduleDir = (JSON.parse(download) as { Dir?: string }).Dir;
  if (!moduleDir) throw new StackError('build-failed', `\`go mod download\` did not say where ${MODULE} is.`, true);

  const sourceDir = join(cacheDir, 'build', `ferretdb-${FERRETDB_VERSION}-${process.pid}`);
  const partial = `${binary}.partial-${process.pid}`;
  try {
    rmSync(sourceDir, { recursive: true, force: true });
    mkdirSync(dirname(binary), { recursive: true });
    mkdirSync(dirname(sourceDir), { recursive: true });
    cpSync(moduleDir, sourceDir, { recursive: true });
    makeWritable(sourceDir); // the module cache is read-only, and so is a plain copy of it
    writeFileSync(join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    for (const fix of SOURCE_FIXES) applyFix(sourceDir, fix);
    for (const added of ADDED_FILES) writeFileSync(join(sourceDir, added.file), added.text);
    await runCommand(go, ['build', '-o', partial, './cmd/ferretdb'], {
      cwd: sourceDir,
      env,
      what,
      failure: 'build-failed',
    });
    if (!reportsVersion(partial, FERRETDB_VERSION)) {
      throw new StackError(
        'build-failed',
        `The FerretDB binary built in ${sourceDir} does not start; run \`${partial} --version\` to see why.`,
        false,
      );
    }
    renameSync(partial, binary);
  } finally {
    rmSync(sourceDir, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  log(`Built FerretDB in ${Math.round((Date.now() - started) / 1000)} s.`);
  return binary;
}

function applyFix(sourceDir: string, fix: SourceFix): void {
  const path = join(sourceDir, fix.file);
  const source = readFileSync(path, 'utf8');
  const found = source.split(fix.from).length - 1;
  if (found !== fix.occurrences) {
    throw new StackError(
      'build-failed',
      `FerretDB's ${fix.file} contains ${JSON.stringify(fix.from)} ${found} times, not ${fix.occurrences}; review the fixes in ${import.meta.filename}.`,
      false,
    );
  }
  writeFileSync(path, source.replaceAll(fix.from, fix.to));
}

function reportsVersion(binary: string, version: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(`version: ${version}`);
}

function makeWritable(path: string): void {
  const mode = statSync(path).mode;
  chmodSync(path, mode | 0o200);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}
