#!/usr/bin/env bash
# The "infer" column of the README's architecture table: every architecture and layout against its upstream
# reference (fixtures made by upstream code, src/test/python), as the reference tests measure it. Runs those tests and
# tabulates the errors they print: the largest absolute difference, relative to the reference's largest magnitude
# when that exceeds 1 (EsrganLayoutTest reports it absolute), whole-image and with small tiles.
#
#   jobs/reference-errors.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -o test -Dtest='EsrganLayoutTest,SpanPlksrTest,AttentionArchitecturesTest,OnnxNetworkTest' \
  -Dsurefire.failIfNoSpecifiedTests=false >/dev/null
cat target/surefire-reports/*-output.txt 2>/dev/null | grep -h '^reference-error' | python3 -c '
import collections, sys
rows = collections.OrderedDict()
for line in sys.stdin:
    _, network, fixture, where, err = line.rstrip("\n").split("\t")
    name = "ONNX" if network.startswith("ONNX") else network.split("(")[0]
    r = rows.setdefault((name, fixture), [0.0, None])
    if where == "whole":
        r[0] = max(r[0], float(err))
    else:
        r[1] = max(r[1] or 0.0, float(err))
print("%-16s %-48s %9s %9s" % ("network", "fixture (upstream output)", "whole", "tiled"))
for (name, fixture), (whole, tiled) in rows.items():
    print("%-16s %-48s %9.1e %9s" % (name, fixture, whole, "-" if tiled is None else "%.1e" % tiled))
'
