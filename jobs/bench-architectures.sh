#!/usr/bin/env bash
# Inference speed of every built-in architecture (those added for issue 25, and RRDBNet and SRVGGNetCompact) against
# PyTorch's eager loop, side by side in one run on the same inputs, with the GFLOP/s each reaches (convolutions and
# linear layers) beside the machine's matrix-product rate (issue 29): for each architecture, a pair at a published
# size (src/test/python/bench_architectures.py, upstream code), IMAGES crops of the demo photos down-scaled by the
# model's scale (64x64 inputs for x4), one interpolated model per alpha. dni-spark's loop is the raw predictor loop
# the sweep runs (org.dnispark.bench.RawForward: as many threads as cores, one torch thread each); PyTorch's runs in
# one process with one thread per core. With NCHW=1, the (NCHW) column is dni-spark's loop again with NCHW activations
# instead of the architecture's own layout (channels-last for the built-in convolution networks), the layout's share
# of the rate. Machines are shared: only the ratios of one run mean anything, and PyTorch's loop (and the sweep) run
# ROUNDS times (default 2), taking turns, each side's best round counting. Needs checkouts of chaiNNer-org/spandrel and
# arogozhnikov/einops (the fixture generators' revisions), and Debian's python3-torch.
#
# SWEEP=1 adds the sweep itself (jobs/dni sweep on the same photos, bicubic-down by the model's scale, on local[cores]):
# its inference phase's rate, from its manifest, beside the two loops (issue 29 asks for 100 or more inferences:
# IMAGES=12 ALPHAS=0,0.125,0.25,0.375,0.5,0.625,0.75,0.875,1 gives 108).
#
#   SPANDREL=/path/to/spandrel/.git EINOPS=/path/to/einops/.git jobs/bench-architectures.sh   # IMAGES=6 ALPHAS=0,0.5,1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
IMAGES=${IMAGES:-6}
ROUNDS=${ROUNDS:-2}
ALPHAS=${ALPHAS:-0,0.5,1}
ARCHS=${ARCHS:-span realplksr plksr swinir dat omnisr span-onnx rrdbnet srvgg}
: "${SPANDREL:?set SPANDREL to a git directory of chaiNNer-org/spandrel}"
: "${EINOPS:?set EINOPS to a git directory of arogozhnikov/einops}"
B=$root/target/bench/architectures
rm -rf "$B"
mkdir -p "$B/models"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
[ -d target/lib ] || mvn -B -q -o dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib >/dev/null
CP="$root/target/classes:$root/target/test-classes:$root/target/lib/*"
opens=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
cores=$(nproc)
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}')" "$1" "$2"; }
rate() { sed -E 's/.*: ([0-9.]+) inferences\/s.*/\1/'; }

/usr/bin/python3 src/test/python/bench_architectures.py write "$B/models" "$SPANDREL" "$EINOPS" 2>/dev/null
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/photos" "$IMAGES" 256 >/dev/null
echo "== $IMAGES crops of 256x256 from demo/images, down-scaled by each model's scale; alphas $ALPHAS; $cores cores"
echo "matrix product (2048^3 fp32, PyTorch, $cores threads): $(THREADS=$cores /usr/bin/python3 src/test/python/bench_architectures.py matmul) GFLOP/s, the machine's reference"
printf '%-12s %-52s %11s %8s %10s %6s %9s %9s  %s\n' architecture "network (as dni-spark detects it)" "dni-spark/s" \
  "(NCHW)" "pytorch/s" ratio "GFLOP/s" "(pytorch)" "sweep/s /steady (x pytorch) forward/s +other per inference"
best() { python3 -c "import sys; v = [float(x) for x in sys.argv[1:]]; print(f'{max(v):.3f}')" "$@"; }
for arch in $ARCHS; do
  base=${arch%-onnx}
  ext=pth
  [ "$arch" != "$base" ] && ext=onnx
  a=$B/models/${base}_a.$ext
  b=$B/models/${base}_b.$ext
  rm -rf "$B/inputs-$arch"
  raw=$(java $opens -Dai.djl.offline=true -Xmx3g -cp "$CP" org.dnispark.bench.RawForward "$B/models" "$a" "$b" \
    "$B/photos" 0 "$ALPHAS" "$cores" "$B/inputs-$arch" 2>/dev/null)
  name=$(echo "$raw" | grep "raw loop" | sed -E 's/.*threads, (.*)\)$/\1/')
  r=$(echo "$raw" | grep "raw loop" | rate)
  nchw="-"
  if [ "${NCHW:-0}" = 1 ]; then
    # the same loop with NCHW activations (the layout before issue 29), for the layout's share of the rate
    nchw=$(java $opens -Dlayout=nchw -Dai.djl.offline=true -Xmx3g -cp "$CP" org.dnispark.bench.RawForward \
      "$B/models" "$a" "$b" "$B/photos" 0 "$ALPHAS" "$cores" 2>/dev/null | grep "raw loop" | rate)
  fi
  size=$(( 256 / $(echo "$name" | sed -E 's/.*(upscale|upscaling_factor|up_scale|scale)[=]([0-9]+).*/\2/; t; s/.*/4/') ))
  g=$(/usr/bin/python3 src/test/python/bench_architectures.py flops "$base" "$size" "$SPANDREL" "$EINOPS" 2>/dev/null)
  gf() { python3 -c "import sys; print(f'{float(sys.argv[1]) * float(sys.argv[2]):.1f}')" "$1" "$2"; }
  # PyTorch's loop and the sweep take turns, ROUNDS times each; each side's best round counts (the machine is
  # shared: the best round is the one least disturbed, for both sides alike)
  ps=()
  sweeps=()
  for round in $(seq 1 "$ROUNDS"); do
    ps+=("$(THREADS=$cores /usr/bin/python3 src/test/python/bench_architectures.py eager "$base" "$B/models" \
      "$B/inputs-$arch" "$ALPHAS" "$SPANDREL" "$EINOPS" 2>/dev/null | rate)")
    if [ "${SWEEP:-0}" = 1 ]; then
      # jobs/dni runs the packaged jar: packaged once per run, so that it is this tree's code
      [ -n "${packaged:-}" ] || { mvn -B -q -o package -DskipTests >/dev/null; packaged=1; }
      jobs/dni sweep --config conf/demo.conf "dni.input.images=\"$B/photos\"" "dni.sweep.output=\"$B/sweep-$arch\"" \
        "dni.models=[\"$a\", \"$b\"]" "dni.sweep.alphas=[$ALPHAS]" 'dni.degradation=[{type=bicubic-down}]' \
        "dni.spark.master=\"local[$cores]\"" dni.output.if-exists=overwrite > "$B/sweep-$arch.log" 2>&1
      cp "$B/sweep-$arch/manifest.json" "$B/sweep-$arch-manifest-$round.json"
    fi
  done
  p=$(best "${ps[@]}")
  sw="-"
  if [ "${SWEEP:-0}" = 1 ]; then
    # the sweep's inference phase, and (after the slash) its steady state: each new predictor's first inferences,
    # whole (construction, first block read, first weights, first pass and its outputs: warm-up, reported in the
    # manifest's task_time) kept out, its task time spread over the cores; in brackets, both against PyTorch's eager
    # loop; then the steady state's forward passes alone (their task time spread over the cores), and the task time
    # of everything else per steady inference (decoding and degrading, weight swaps, scoring and rows), in ms. Of the
    # rounds, the one with the fastest inference phase.
    sw=$(python3 - "$cores" "$p" "$B"/sweep-"$arch"-manifest-*.json <<'PY'
import json, sys
cores, p = int(sys.argv[1]), float(sys.argv[2])
rows = []
for f in sys.argv[3:]:
    m = json.load(open(f))
    n = m['images']['accepted'] * len(m['coefficients'])
    t = m['timings']
    s = t['inference_ms'] / 1000
    w = t['task_time']
    k = n - w['warmup_inferences']
    st = k / (s - w['warmup_ms'] / 1000 / cores)
    fw = k / (w['forward_ms'] / 1000 / cores)
    o = (w['read_decode_ms'] + w['weights_ms'] + w['outputs_ms']) / k
    rows.append((n / s, f"{n / s:.3f}/{st:.3f} ({n / s / p:.2f}x/{st / p:.2f}x) forward {fw:.3f} +{o:.0f} ms"))
print(max(rows)[1])
PY
)
  fi
  printf '%-12s %-52s %11s %8s %10s %6s %9s %9s  %s\n' "$arch" "${name:0:52}" "$r" "$nchw" "$p" "$(ratio "$r" "$p")" \
    "$(gf "$g" "$r")" "$(gf "$g" "$p")" "$sw"
done
