#!/usr/bin/env bash
# The hostile-input corpus (issue 11) against the readers a job uses, and the second round's cases (issue 28: ONNX
# files, run folders for report, niqe, configuration includes, alignment, trusted TorchScript) through the commands
# as jobs/dni runs them, in a JVM with a small executor's heap: prints each case's time to its error and its peak
# heap, then the worst case (goal: under 30 s, under the heap).
#
#   jobs/bench-hostile.sh            # HEAP=640m
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/target/test.classpath" >/dev/null
java -Xmx"${HEAP:-640m}" -Dai.djl.offline=true \
  -cp "$root/target/classes:$root/target/test-classes:$(cat "$root/target/test.classpath")" \
  org.dnispark.formats.HostileCorpus
