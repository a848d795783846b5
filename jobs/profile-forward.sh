#!/usr/bin/env bash
# Where one RRDBNet x4 forward pass (6 blocks, 64 features, 32 growth channels: Real-ESRGAN's anime model's size;
# the random weights of jobs/bench-throughput.sh) spends its time, dni-spark beside PyTorch's eager loop, one thread
# each, 64x64 input (issue 29): libtorch's own profiler through DJL (org.dnispark.bench.ForwardProfile) and
# torch.profiler (src/test/python/profile_summary.py), summarised by kind of operator, plus the time between
# operators (the calling language and its dispatch). Warm-up passes are printed apart.
#
#   jobs/profile-forward.sh            # N=5 profiled passes
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
N=${N:-5}
B=$root/target/bench/profile
mkdir -p "$B" "$root/target/bench/throughput/rrdb"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
[ -d target/lib ] || mvn -B -q -o dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib >/dev/null
[ -f target/bench/throughput/rrdb/rrdb6_a.pth ] || /usr/bin/python3 src/test/python/bench_rrdb.py write target/bench/throughput/rrdb
opens=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
model=target/bench/throughput/rrdb/rrdb6_a.pth
echo "== dni-spark"
j=$(java $opens -Dai.djl.offline=true -Xmx2g -cp "target/classes:target/test-classes:target/lib/*" \
  org.dnispark.bench.ForwardProfile "$model" 64 3 "$N" "$B/dni-spark.json" 2>/dev/null); echo "$j"
echo "== PyTorch"
p=$(/usr/bin/python3 src/test/python/profile_summary.py pytorch "$model" 64 "$N" "$B/pytorch.json" 2>/dev/null)
echo "$p"
ms() { grep "per forward" | sed -E 's/.*: ([0-9.]+) ms per forward.*/\1/'; }
echo "== summary"
/usr/bin/python3 src/test/python/profile_summary.py summary "$B/dni-spark.json" "$(echo "$j" | ms)" \
  "$B/pytorch.json" "$(echo "$p" | ms)" "$N"
