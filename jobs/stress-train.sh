#!/usr/bin/env bash
# Issue 24's stress check (not a timed test): each trainer's test configuration (DeterminismProbe.TRAINING: the
# SRCNN-style and DnCNN denoisers, RRDBNet L1 and SRVGGNetCompact GAN fine-tuning) run RUNS times, each in a fresh
# JVM, under a garbage collector made hostile on purpose: a 1 MB young generation (a collection every few
# operations) and MALLOC_PERTURB_ (freed native memory is overwritten at once). Native memory used after it was
# freed then shows up as a divergence or as a second digest. Prints, per configuration, the number of divergences
# and every distinct SHA-256 of the final weights with its count: 0 divergences and one digest each is the pass.
#
#   jobs/stress-train.sh                 # RUNS=20, hostile GC
#   RUNS=5 HOSTILE=0 jobs/stress-train.sh  # the JVM's default GC
#
# Needs Maven's dependencies and the model cache (jobs/fetch-models.sh). Exits 1 when any check fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
RUNS=${RUNS:-20}
HOSTILE=${HOSTILE:-1}
W=$root/target/stress-train
rm -rf "$W"
mkdir -p "$W"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt" >/dev/null
CP="$root/target/test-classes:$root/target/classes:$(cat "$W/cp.txt")"
flags=$(sed -n 's|.*<dni.jvm.flags>\(.*\)</dni.jvm.flags>.*|\1|p' pom.xml)
extra=()
env=()
if [ "$HOSTILE" = 1 ]; then
  extra=(-XX:+UseSerialGC -Xmn1m)
  env=(MALLOC_PERTURB_=165)
fi
echo "stress-train: $RUNS runs per configuration, hostile GC: $HOSTILE (${extra[*]:-default} ${env[*]:-})"
status=0
for config in denoiser-srcnn denoiser-dncnn sr-rrdbnet-l1 sr-srvggnet-gan; do
  : > "$W/$config.txt"
  start=$(date +%s)
  for i in $(seq 1 "$RUNS"); do
    # shellcheck disable=SC2086
    env "${env[@]}" java $flags "${extra[@]}" -Xmx2g -cp "$CP" org.dnispark.train.DeterminismProbe \
      "$W/$config-$i" "$config" 2>"$W/$config-$i.log" | grep -E '^(digest|diverged) ' >> "$W/$config.txt" \
      || echo "failed $config run $i: see $W/$config-$i.log" >> "$W/$config.txt"
    rm -rf "$W/$config-$i"
  done
  diverged=$(grep -c '^diverged ' "$W/$config.txt" || true)
  failed=$(grep -c '^failed ' "$W/$config.txt" || true)
  digests=$(grep '^digest ' "$W/$config.txt" | awk '{print $3}' | sort | uniq -c | awk '{printf "%s x%d  ", $2, $1}')
  distinct=$(grep '^digest ' "$W/$config.txt" | awk '{print $3}' | sort -u | wc -l)
  printf '%-16s runs %d  divergences %d  failures %d  (%ds)  sha256 %s\n' "$config" "$RUNS" "$diverged" "$failed" \
    $(( $(date +%s) - start )) "$digests"
  if [ "$diverged" != 0 ] || [ "$failed" != 0 ] || [ "$distinct" != 1 ]; then
    status=1
  fi
done
exit $status
