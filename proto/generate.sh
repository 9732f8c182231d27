#!/usr/bin/env bash
# Regenerates proto/gen/ from the .proto files (buf + ts-proto, both pinned in package-lock.json).
#   proto/generate.sh          rewrite proto/gen/
#   proto/generate.sh --check  lint, regenerate into a scratch dir and fail if proto/gen/ differs
set -euo pipefail
cd "$(dirname "$0")"
buf=../node_modules/.bin/buf
"$buf" lint
if [[ ${1:-} == --check ]]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  "$buf" generate --output "$scratch"
  if ! diff -r "$scratch/gen" gen >/dev/null; then
    diff -r "$scratch/gen" gen | head -40 >&2
    echo 'proto/gen/ is stale: run `npm run proto:generate` and commit the result.' >&2
    exit 1
  fi
  echo 'proto/gen/ is up to date.'
else
  rm -rf gen
  "$buf" generate
fi
