#!/usr/bin/env bash
# What one weight swap costs per architecture (org.dnispark.bench.WeightSwap: setWeights cycling five interpolated
# weight sets, as a sweep's task cycles its coefficients), this tree beside BASE (a git revision, built in a scratch
# worktree), alternating the two in one run. Machines are shared: only the ratios of one run mean anything. Uses the
# model pairs jobs/bench-architectures.sh writes (run it first, or set MODELS to a folder of <arch>_a.pth/_b.pth).
#
#   BASE=6e725db jobs/bench-weight-swap.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${BASE:?set BASE to the git revision to compare with}"
MODELS=${MODELS:-$root/target/bench/architectures/models}
ARCHS=${ARCHS:-span plksr realplksr rrdbnet srvgg swinir dat omnisr}
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
[ -d target/lib ] || mvn -B -q -o dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib >/dev/null
base=$root/target/bench/weight-swap-base
rm -rf "$base"
git worktree prune
git worktree add -q --detach "$base" "$BASE"
trap 'git worktree remove --force "$base"' EXIT
# the base's own classes, with this tree's benchmark class (it uses only APIs both have)
(cd "$base" && mvn -B -q -o compile >/dev/null)
mkdir -p "$base/bench-classes"
javac -nowarn -cp "$base/target/classes:$root/target/lib/*" -d "$base/bench-classes" \
  src/test/java/org/dnispark/bench/WeightSwap.java
run() { java -Dai.djl.offline=true -cp "$1:$root/target/lib/*" org.dnispark.bench.WeightSwap \
  "$root/target/bench/weight-swap-cache" "$MODELS/${2}_a.pth" "$MODELS/${2}_b.pth" 2>/dev/null \
  | sed -E 's/ ms per swap.*//'; }
echo "== ms per weight swap, $BASE beside this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', dirty')), one torch thread"
printf '%-10s %10s %10s %8s\n' architecture "$BASE" "this" speedup
for arch in $ARCHS; do
  b=$(run "$base/bench-classes:$base/target/classes" "$arch")
  t=$(run "$root/target/test-classes:$root/target/classes" "$arch")
  printf '%-10s %10s %10s %8s\n' "$arch" "$b" "$t" "$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$b" "$t")"
done
