#!/usr/bin/env bash
# Memory at dataset scale (issue 10), measured in one run: the same sweep over N and 100*N images on the project's
# standalone cluster (driver and executor in their own JVMs, the same -Xmx), and the peak heap of each, read from
# their GC logs as the largest heap occupancy right after a collection (what the JVM had to keep). Then, when the
# shared test images are there, the BSD68 x10 sweep at -Xmx640m in local mode.
#
#   jobs/bench-memory.sh            # N=10 (96x96 crops of the demo photos), XMX=640m
#
# Needs `mvn package` and the model cache (jobs/fetch-models.sh). Writes under target/bench/memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
N=${N:-10}
XMX=${XMX:-640m}
B=$root/target/bench/memory
rm -rf "$B"
mkdir -p "$B"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
CP="$root/target/classes:$root/target/test-classes:$root/target/lib/*"
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/images-$N" "$N" 96 >/dev/null
java -cp "$CP" org.dnispark.bench.MakeImages demo/images "$B/images-$((100 * N))" $((100 * N)) 96 >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CLUSTER_DIR=$B/cluster SPARK_MASTER_PORT=$port CLUSTER_WORKERS=1 WORKER_CORES=2 WORKER_MEMORY=2g
trap 'jobs/cluster.sh stop >/dev/null 2>&1 || true' EXIT
master=$(jobs/cluster.sh start | tail -1)

peak() { # largest "after" heap of a GC log, in MiB
  python3 - "$@" <<'EOF'
import re, sys
best = 0.0
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        m = re.search(r"Pause .*?(\d+)([KMG])->(\d+)([KMG])\(", line)
        if m:
            v = float(m.group(3)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(4)]
            best = max(best, v)
print(f"{best:.0f}")
EOF
}

sweep() { # images-folder tag
  local opens="-Dai.djl.offline=true -Djava.awt.headless=true -Xlog:gc:file=$B/executor-$2-%p.log"
  DNI_JAVA_OPTS="-Xmx$XMX -Xlog:gc:file=$B/driver-$2.log" jobs/dni sweep --config conf/demo.conf \
    "dni.spark.master=\"$master\"" "dni.input.images=\"$1\"" "dni.sweep.output=\"$B/out-$2\"" \
    'dni.sweep.alphas=[0, 0.5, 1]' 'dni.degradation=[{type=bicubic-down}]' \
    "dni.spark.conf.\"spark.executor.memory\"=$XMX" "dni.spark.conf.\"spark.executor.extraJavaOptions\"=\"$opens\"" \
    > "$B/sweep-$2.log" 2>&1
}

echo "== sweep of $N and $((100 * N)) images (96x96, upconv_7, 3 alphas) on a standalone cluster, -Xmx$XMX for" \
  "the driver and the executor (2 task slots)"
sweep "$B/images-$N" small
sweep "$B/images-$((100 * N))" large
ds=$(peak "$B/driver-small.log"); dl=$(peak "$B/driver-large.log")
es=$(peak "$B"/executor-small-*.log); el=$(peak "$B"/executor-large-*.log)
printf "%-10s %12s %12s %8s\n" "JVM" "$N images" "$((100 * N)) images" "ratio"
printf "%-10s %9s MiB %9s MiB %8s\n" driver "$ds" "$dl" "$(python3 -c "print(f'{$dl / $ds:.2f}')")"
printf "%-10s %9s MiB %9s MiB %8s\n" executor "$es" "$el" "$(python3 -c "print(f'{$el / $es:.2f}')")"
python3 -c 'import json, sys; print("  images scored:", ", ".join(str(json.load(open(f))["images"]) for f in sys.argv[1:]))' \
  "$B/out-small/summary.json" "$B/out-large/summary.json"
jobs/cluster.sh stop >/dev/null
trap - EXIT

bsd=$root/../shared/data/BSD68
if [ -d "$bsd" ]; then
  echo "== BSD68 x10 (680 grey 481x321 images), upconv_7 noise0 -> noise3 at one alpha, local mode, -Xmx640m"
  mkdir -p "$B/bsd68x10"
  for k in $(seq 0 9); do for f in "$bsd"/*.png; do cp "$f" "$B/bsd68x10/$(basename "$f" .png)_$k.png"; done; done
  start=$(date +%s)
  if DNI_JAVA_OPTS="-Xmx640m -Xlog:gc:file=$B/bsd68x10-gc.log" jobs/dni sweep --config conf/demo.conf \
      "dni.input.images=\"$B/bsd68x10\"" "dni.sweep.output=\"$B/out-bsd68x10\"" 'dni.sweep.alphas=[0.5]' \
      'dni.degradation=[{type=bicubic-down}]' > "$B/bsd68x10.log" 2>&1; then
    echo "  succeeded in $(( $(date +%s) - start )) s; peak heap after GC $(peak "$B/bsd68x10-gc.log") MiB of 640;" \
      "$(grep -o '"images" : [0-9]*' "$B/out-bsd68x10/summary.json" | head -1)"
  else
    echo "  FAILED (exit $?): see $B/bsd68x10.log"; tail -5 "$B/bsd68x10.log"
  fi
else
  echo "== BSD68 x10: skipped ($bsd not found)"
fi
