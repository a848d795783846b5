#!/usr/bin/env bash
# Scale-out on the project's standalone cluster (issue 10): the same sweep with one executor and with two (one core
# each, in their own JVMs), measured in one run; prints the throughput of the inference phase and the ratio.
#
#   jobs/bench-scaleout.sh            # IMAGES=256 crops of 192x192, upconv_7 noise0 -> noise3 at 3 alphas
#
# WORKER_CPUS="0 1" pins each worker (and so its executor) to one CPU with taskset, so that one executor gets one core
# rather than one plus whatever is idle (not the default; the README gives both). Every executor
# JVM pays a warm-up (the PyTorch engine, the JIT compiler) of about 10 s on such a machine, in parallel; the default
# of 256 images keeps it a small part of the phase.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
IMAGES=${IMAGES:-256}
B=$root/target/bench/scaleout
rm -rf "$B"
mkdir -p "$B"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
CP="$root/target/classes:$root/target/test-classes:$root/target/lib/*"
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/images" "$IMAGES" 192 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CLUSTER_DIR=$B/cluster SPARK_MASTER_PORT=$port CLUSTER_WORKERS=2 WORKER_CORES=1 WORKER_MEMORY=1500m \
  WORKER_CPUS="${WORKER_CPUS:-}"
trap 'jobs/cluster.sh stop >/dev/null 2>&1 || true' EXIT
master=$(jobs/cluster.sh start | tail -1)

run() { # executors
  jobs/dni sweep --config conf/demo.conf "dni.spark.master=\"$master\"" "dni.input.images=\"$B/images\"" \
    "dni.sweep.output=\"$B/out-$1\"" 'dni.sweep.alphas=[0, 0.5, 1]' 'dni.degradation=[{type=bicubic-down}]' \
    "dni.spark.conf.\"spark.cores.max\"=$1" 'dni.spark.conf."spark.executor.cores"=1' \
    'dni.spark.conf."spark.executor.memory"=1g' > "$B/run-$1.log" 2>&1
  python3 - "$B/out-$1/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
n = m["images"]["accepted"] * len(m["coefficients"])
print(f"{n / (m['timings']['inference_ms'] / 1000):.3f}")
PY
}
echo "== $IMAGES images of 192x192 (inputs 96x96), upconv_7 at 3 alphas, standalone cluster of 2 workers x 1 core"
one=$(run 1)
two=$(run 2)
echo "  1 executor:  $one inferences/s"
echo "  2 executors: $two inferences/s"
echo "  ratio: $(python3 -c "print(f'{$two / $one:.2f}')")"
cmp -s "$B/out-1/psnr.csv" "$B/out-2/psnr.csv" && echo "  psnr.csv identical" || echo "  psnr.csv DIFFERS"
