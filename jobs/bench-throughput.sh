#!/usr/bin/env bash
# Throughput of the sweep's inference phase against loops without Spark, measured side by side in one run (issue 10):
#   1. waifu2x upconv_7 (noise0 -> noise3) on photo crops of about 0.1 megapixel (outputs 320x320): the sweep, the
#      raw DJL loop (the same decoded and degraded images and interpolated weights, through the predictor, on as
#      many threads of one torch thread as the sweep has tasks), and PyTorch's eager loop on the same network inputs
#      (src/test/python/bench_upconv.py: the ncnn graph on torch.nn.functional, issue 29);
#   2. RRDBNet x4, 6 blocks, 64 features, 32 growth channels (random weights, the size of Real-ESRGAN's anime model)
#      on 64x64 inputs: the sweep, the raw DJL loop, and PyTorch's own eager loop (Debian's python3-torch);
#   3. every built-in architecture at a published size (SPAN, RealPLKSR, PLKSR, SwinIR, DAT, OmniSR, SPAN as ONNX,
#      RRDBNet and SRVGGNetCompact in spandrel's code) on 12 crops x 9 alphas, 108 inferences: the sweep, the raw
#      DJL loop and PyTorch's eager loop, by jobs/bench-architectures.sh with SWEEP=1, when SPANDREL and EINOPS name
#      git directories of chaiNNer-org/spandrel and arogozhnikov/einops (the fixture generators' revisions).
# With BASELINE=<git revision> (for example efa199a, the last commit before the streaming executors), that revision
# is built in a work tree under target/bench and its sweep runs beside, on the same images.
# Each section prints the GFLOP/s of every loop (convolutions), beside the machine's matrix-product rate measured
# first. Machines are shared: only ratios measured in one run mean anything; the sweeps and PyTorch's loops run ROUNDS
# times (default 2) and each one's fastest round counts. Issue 29 asks for 100 or more inferences: the default
# IMAGES=36 gives 108.
#
#   jobs/bench-throughput.sh                        # IMAGES=36 ALPHAS=0,0.5,1 BASELINE="" ROUNDS=2
#   SPANDREL=.../spandrel/.git EINOPS=.../einops/.git ROUNDS=3 jobs/bench-throughput.sh   # all three sections
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
IMAGES=${IMAGES:-36}
ROUNDS=${ROUNDS:-2}
ALPHAS=${ALPHAS:-0,0.5,1}
B=$root/target/bench/throughput
rm -rf "$B"
mkdir -p "$B"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
# the sweeps run jobs/dni, which runs the packaged jar: packaged now, so that it is this tree's code
mvn -B -q -o package -DskipTests >/dev/null
CP="$root/target/classes:$root/target/test-classes:$root/target/lib/*"
opens=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
cache=${DNI_MODEL_CACHE:-$HOME/.cache/dni-spark/models}
U=waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb
cores=$(nproc)

BASELINE=${BASELINE:-}
if [ -n "$BASELINE" ]; then
  git worktree remove --force "$B/baseline-src" >/dev/null 2>&1 || true
  git worktree add --detach "$B/baseline-src" "$BASELINE" >/dev/null 2>&1
  (cd "$B/baseline-src" && mvn -B -q -o package -DskipTests >/dev/null 2>&1 || mvn -B -q package -DskipTests >/dev/null)
fi
sweep() { # tag images models [launcher]
  ${4:-jobs/dni} sweep --config conf/demo.conf "dni.input.images=\"$2\"" "dni.sweep.output=\"$B/sweep-$1\"" \
    "dni.models=$3" "dni.sweep.alphas=[$ALPHAS]" 'dni.degradation=[{type=bicubic-down}]' \
    "dni.spark.master=\"local[$cores]\"" > "$B/sweep-$1.log" 2>&1
  python3 - "$B/sweep-$1/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
n = m["images"]["accepted"] * len(m["coefficients"])
t = m["timings"]
s = t["inference_ms"] / 1000
tt = t.get("task_time", {})
where = "; task time " + ", ".join(f"{k[:-3]} {v / 1000:.1f} s" for k, v in tt.items() if k.endswith("_ms")) \
    if tt else ""
print(f"sweep inference phase: {n} inferences in {s:.2f} s: {n / s:.3f} inferences/s ({m['spark']['master']}, "
      f"{m['spark']['partitions']} partitions{where})")
if "warmup_ms" in tt:
    # warm-up (each new predictor's first inferences, whole: built, first block read, first weights, first pass
    # and its outputs) kept out: its task time spread over the cores
    cores = int(m["spark"]["master"].split("[")[1].rstrip("]")) if "[" in m["spark"]["master"] else 1
    steady = (n - tt["warmup_inferences"]) / (s - tt["warmup_ms"] / 1000 / cores)
    print(f"  warm-up: {tt['predictors_created']} predictors, {tt['warmup_ms'] / 1000:.2f} s of task time for "
          f"{tt['warmup_inferences']} inferences; steady state {steady:.3f} inferences/s")
PY
}
raw() { # images modelA modelB [export]
  java $opens -Dai.djl.offline=true -Xmx2g -cp "$CP" org.dnispark.bench.RawForward "$cache" "$2" "$3" "$1" 0 "$ALPHAS" \
    "$cores" ${4:-} 2>/dev/null | grep "raw loop"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}')" "$1" "$2"; }
rate() { head -1 | sed -E 's/.*: ([0-9.]+) inferences\/s.*/\1/'; }
gflops() { python3 -c "import sys; print(f'{float(sys.argv[1]) * float(sys.argv[2]):.1f}')" "$1" "$2"; }
steady() { grep 'steady state' | sed -E 's/.*steady state ([0-9.]+) inferences\/s.*/\1/'; }
# the output (first line: its rate) of the fastest of the given outputs
fastest() {
  python3 -c "import re, sys; print(max(sys.argv[1:], key=lambda o: float(re.search(r': ([0-9.]+) inferences/s', o)[1])))" \
    "$@"
}

echo "matrix product (2048^3 fp32, PyTorch, $cores threads): $(THREADS=$cores /usr/bin/python3 \
  src/test/python/bench_architectures.py matmul) GFLOP/s, the machine's reference"
echo "== upconv_7 noise0 -> noise3, $IMAGES photo crops of 320x320 (inputs 160x160), alphas $ALPHAS, $cores cores"
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/photos" "$IMAGES" 320 >/dev/null
# the sweep and PyTorch's loop run ROUNDS times each (PyTorch's after the raw loop below), each side's best round
# counting: the machine is shared, and the best round is the one least disturbed, for both sides alike
s1s=()
for round in $(seq 1 "$ROUNDS"); do
  s1s+=("$(sweep upconv "$B/photos" "[\"$U/noise0_scale2.0x_model\", \"$U/noise3_scale2.0x_model\"]")")
done
s1=$(fastest "${s1s[@]}"); echo "  $s1"
if [ -n "$BASELINE" ]; then
  b1=$(sweep upconv-baseline "$B/photos" "[\"$U/noise0_scale2.0x_model\", \"$U/noise3_scale2.0x_model\"]" \
    "$B/baseline-src/jobs/dni"); echo "  $BASELINE $b1"
  echo "  sweep / $BASELINE sweep: $(ratio "$(echo "$s1" | rate)" "$(echo "$b1" | rate)")"
fi
r1=$(raw "$B/photos" "$U/noise0_scale2.0x_model" "$U/noise3_scale2.0x_model" "$B/upconv-inputs"); echo "  $r1"
# PyTorch's eager loop on the same network inputs, replicate-padded by the 7 pixels of context the tiler adds
p1s=()
for round in $(seq 1 "$ROUNDS"); do p1s+=("$(/usr/bin/python3 src/test/python/bench_upconv.py eager \
  "$cache/$U/noise0_scale2.0x_model" "$cache/$U/noise3_scale2.0x_model" "$B/upconv-inputs" "$ALPHAS" 7)"); done
p1=$(fastest "${p1s[@]}"); echo "  $p1"
g1=$(echo "$p1" | sed -E 's/.* ([0-9.]+) GFLOP per inference.*/\1/')
echo "  GFLOP/s: sweep $(gflops "$(echo "$s1" | rate)" "$g1"), raw DJL loop $(gflops "$(echo "$r1" | rate)" "$g1")," \
  "PyTorch eager loop $(gflops "$(echo "$p1" | rate)" "$g1")"
echo "  sweep / raw DJL loop: $(ratio "$(echo "$s1" | rate)" "$(echo "$r1" | rate)")"
echo "  sweep / PyTorch eager loop: $(ratio "$(echo "$s1" | rate)" "$(echo "$p1" | rate)"); steady state:" \
  "$(ratio "$(echo "$s1" | steady)" "$(echo "$p1" | rate)")"

echo "== RRDBNet x4 (6 blocks, 64 features, 32 growth), $IMAGES crops of 256x256 (inputs 64x64), alphas $ALPHAS"
mkdir -p "$B/rrdb"
/usr/bin/python3 src/test/python/bench_rrdb.py write "$B/rrdb"
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/rrdb-photos" "$IMAGES" 256 >/dev/null
s2s=()
for round in $(seq 1 "$ROUNDS"); do
  s2s+=("$(sweep rrdb "$B/rrdb-photos" "[\"$B/rrdb/rrdb6_a.pth\", \"$B/rrdb/rrdb6_b.pth\"]")")
done
s2=$(fastest "${s2s[@]}"); echo "  $s2"
if [ -n "$BASELINE" ]; then
  b2=$(sweep rrdb-baseline "$B/rrdb-photos" "[\"$B/rrdb/rrdb6_a.pth\", \"$B/rrdb/rrdb6_b.pth\"]" \
    "$B/baseline-src/jobs/dni"); echo "  $BASELINE $b2"
  echo "  sweep / $BASELINE sweep: $(ratio "$(echo "$s2" | rate)" "$(echo "$b2" | rate)")"
fi
r2=$(raw "$B/rrdb-photos" "$B/rrdb/rrdb6_a.pth" "$B/rrdb/rrdb6_b.pth" "$B/rrdb-inputs"); echo "  $r2"
p2s=()
for round in $(seq 1 "$ROUNDS"); do
  p2s+=("$(/usr/bin/python3 src/test/python/bench_rrdb.py eager "$B/rrdb" "$B/rrdb-inputs" "$ALPHAS")")
done
p2=$(fastest "${p2s[@]}"); echo "  $p2"
g2=$(echo "$p2" | sed -E 's/.* ([0-9.]+) GFLOP per inference.*/\1/')
echo "  GFLOP/s: sweep $(gflops "$(echo "$s2" | rate)" "$g2"), raw DJL loop $(gflops "$(echo "$r2" | rate)" "$g2")," \
  "PyTorch eager loop $(gflops "$(echo "$p2" | rate)" "$g2")"
echo "  sweep / raw DJL loop: $(ratio "$(echo "$s2" | rate)" "$(echo "$r2" | rate)")"
echo "  sweep / PyTorch eager loop: $(ratio "$(echo "$s2" | rate)" "$(echo "$p2" | rate)"); steady state:" \
  "$(ratio "$(echo "$s2" | steady)" "$(echo "$p2" | rate)")"

if [ -n "${SPANDREL:-}" ] && [ -n "${EINOPS:-}" ]; then
  echo "== every built-in architecture (jobs/bench-architectures.sh, the sweep's column last), rounds $ROUNDS"
  SWEEP=1 ROUNDS=$ROUNDS IMAGES=12 ALPHAS=0,0.125,0.25,0.375,0.5,0.625,0.75,0.875,1 jobs/bench-architectures.sh
else
  echo "== every built-in architecture: skipped; set SPANDREL and EINOPS to git directories of chaiNNer-org/spandrel" \
    "and arogozhnikov/einops"
fi
