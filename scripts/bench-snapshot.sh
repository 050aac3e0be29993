#!/usr/bin/env bash
# Runs `npm run bench` from a clean snapshot of HEAD (git archive into a temp dir, built there),
# so that edits and rebuilds in the shared working tree cannot change dist/ under a running bench.
# Results are copied back to bench/results/. Extra arguments go to bench/run-all.js.
#   bash scripts/bench-snapshot.sh [--profile DIR] [--only a,b]
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
commit="$(git -C "$root" rev-parse --short HEAD)"
snap="$(mktemp -d /tmp/vltava-bench-snapshot-XXXXXX)"
trap 'rm -rf "$snap"' EXIT
git -C "$root" archive HEAD | tar -x -C "$snap"
ln -s "$root/node_modules" "$snap/node_modules"
cd "$snap"
node_modules/.bin/tsc -p tsconfig.json
VLTAVA_BENCH_COMMIT="$commit" node dist/bench/run-all.js "$@"
mkdir -p "$root/bench/results"
# Only the reports run-all writes (other benches' results in the tree belong to their owners).
for name in limits codec storage blaster broker peers summary; do
  for ext in json md; do [ -f "bench/results/$name.$ext" ] && cp "bench/results/$name.$ext" "$root/bench/results/"; done
done
cp bench/results/*.svg "$root/bench/results/" 2>/dev/null || true
echo "results copied to $root/bench/results (commit $commit)"
