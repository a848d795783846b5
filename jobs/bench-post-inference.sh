#!/usr/bin/env bash
# The sweep's post-inference phase (issue 26: statistics, score tables, per-image best, reports) before and after a
# change, side by side in one run on the same images: the same demo sweep (upconv_7 noise0 -> noise3, 21 alphas,
# bicubic-down + JPEG 30) over IMAGES seeded crops of SIZE x SIZE from demo/images, run by BEFORE's build (a git
# revision, built here from a clean export) and by this tree's. For each it prints the inference phase and the
# post-inference phase (manifest timings: inference_ms, reports_ms) and the Spark jobs the post-inference phase ran
# (counted in Spark's event log: jobs whose description is a statistics, report or publishing step). Both runs'
# psnr.csv, per_alpha.csv and per_image.csv are compared byte for byte. Machines are shared: compare the two rows of
# one run, not runs.
#
#   jobs/bench-post-inference.sh            # BEFORE=f9b6747 IMAGES=680 SIZE=48 ROUNDS=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BEFORE=${BEFORE:-f9b6747}
IMAGES=${IMAGES:-680}
SIZE=${SIZE:-48}
ROUNDS=${ROUNDS:-1}
B=$root/target/bench/post-inference
rm -rf "$B"
mkdir -p "$B"
# BEFORE's build is kept between runs (target/bench/before-<rev>)
before=$root/target/bench/before-$(git rev-parse --short "$BEFORE")
echo "== building $BEFORE and this tree" >&2
if [ ! -f "$before/target/dni-spark.jar" ]; then
  rm -rf "$before" && mkdir -p "$before"
  git archive "$BEFORE" | tar -x -C "$before"
  (cd "$before" && mvn -B -q -o package -DskipTests >/dev/null 2>&1 || mvn -B -q package -DskipTests >/dev/null)
fi
mvn -B -q -o package -DskipTests >/dev/null 2>&1 || mvn -B -q package -DskipTests >/dev/null
mvn -B -q -o test-compile >/dev/null
jobs/fetch-models.sh >/dev/null
[ -d target/lib ] || mvn -B -q -o dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib >/dev/null
java -cp "target/classes:target/test-classes:target/lib/*" org.dnispark.bench.MakeImages demo/images "$B/images" \
  "$IMAGES" "$SIZE" >/dev/null

# jobs of the post-inference phase, from an event log: each JobStart's description
count_jobs() {
  python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
n = 0
files = [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if not f.startswith(".")]
for path in files:
    for line in open(path):
        e = json.loads(line)
        if e.get("Event") == "SparkListenerJobStart":
            desc = e.get("Properties", {}).get("spark.job.description") or ""
            if any(w in desc for w in ("statistics", "report", "publishing")):
                n += 1
print(n)
PY
}
printf '%-8s %-10s %12s %14s %10s\n' round build "inference s" "post-infer. s" "jobs"
for round in $(seq 1 "$ROUNDS"); do
  for build in before after; do
    tree=$root
    [ $build = before ] && tree=$before
    out=$B/out-$build-$round
    events=$B/events-$build-$round
    mkdir -p "$events"
    (cd "$tree" && jobs/dni sweep --config conf/demo.conf dni.input.images="$B/images" dni.sweep.output="$out" \
      dni.spark.event-log="file:$events" 'dni.spark.conf."spark.eventLog.compress"=false' \
      dni.spark.progress-interval=0 \
      dni.model-cache="${DNI_MODEL_CACHE:-$HOME/.cache/dni-spark/models}" >"$B/$build-$round.log" 2>&1) \
      || { echo "$build failed: see $B/$build-$round.log" >&2; exit 1; }
    read -r inf post < <(python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timings']; \
print(t['inference_ms'] / 1000, t['reports_ms'] / 1000)" "$out/manifest.json")
    printf '%-8s %-10s %12.1f %14.1f %10s\n' "$round" "$build" "$inf" "$post" "$(count_jobs "$events")"
  done
  for f in psnr.csv per_alpha.csv per_image.csv; do
    cmp -s "$B/out-before-$round/$f" "$B/out-after-$round/$f" && echo "  $f: identical" \
      || echo "  $f: DIFFERS"
  done
done
