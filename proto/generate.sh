#!/usr/bin/env bash
# Regenerates proto/gen/ from the .proto files (buf + ts-proto, both pinned in package-lock.json).
#   proto/generate.sh          rewrite proto/gen/
#   proto/generate.sh --check  lint, regenerate into a scratch dir and fail if proto/gen/ differs
set -euo pipefail
cd "$(dirname "$0")"
buf=../node_modules/.bin/buf
"$buf" lint
# The compiled descriptors (ours with their imports, plus grpc.health.v1 from grpc-health-check)
# that the hub serves through server reflection. Two FileDescriptorSets concatenated are one.
build_descriptors() {
  "$buf" build --output "$1.ours"
  "$buf" build ../node_modules/grpc-health-check/proto --output "$1.health"
  cat "$1.ours" "$1.health" >"$1"
  rm "$1.ours" "$1.health"
}

if [[ ${1:-} == --check ]]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  "$buf" generate --output "$scratch"
  build_descriptors "$scratch/gen/descriptors.binpb"
  if ! diff -r "$scratch/gen" gen >/dev/null; then
    diff -r "$scratch/gen" gen | head -40 >&2
    echo 'proto/gen/ is stale: run `npm run proto:generate` and commit the result.' >&2
    exit 1
  fi
  echo 'proto/gen/ is up to date.'
else
  rm -rf gen
  "$buf" generate
  build_descriptors gen/descriptors.binpb
fi
