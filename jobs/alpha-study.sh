#!/usr/bin/env bash
# Beyond one global alpha (docs/REPRODUCTION.md section 7): the DnCNN reproduction's N20 -> N60 on BSD68 with
# Gaussian noise of sigma 40, scored five ways in one table (jobs/alpha-table.py):
#
#   1. the dataset's best alpha on the 0.05 grid;
#   2. the per-image oracle (each image at its own best alpha of that grid);
#   3. a predictor of each image's alpha from its input's noise estimate, fitted on Set12 at sigma 30, 40 and 50
#      (held out: no BSD68 image is in the fit), at the grid alpha nearest its prediction;
#   4. region-adaptive alpha, its two parameters (flat-alpha, textured-alpha) chosen on Set12 at sigma 40 among the
#      VARIANTS below, never on BSD68;
#   5. the best two-parameter per-layer schedule (front and back alphas on a 0.1 grid over [0.3, 1]).
#
#   jobs/alpha-study.sh            (MODELS default out/paper/dncnn; SHARED default ../shared/data; OUT out/alpha-study)
#
# Every stage resumes (dni.output.if-exists = resume). Build first: mvn -B -q package -DskipTests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/out/alpha-study}
models=${MODELS:-$root/out/paper/dncnn}
shared=${SHARED:-$root/../shared/data}
dni="$root/jobs/dni"
pair="dni.models=[\"$models/N20.safetensors\",\"$models/N60.safetensors\"]"
for f in N20 N60; do
  [ -f "$models/$f.safetensors" ] || { echo "alpha-study: $models/$f.safetensors not found (jobs/reproduce-paper.sh dncnn train)" >&2; exit 1; }
done
for d in BSD68 Set12; do
  [ -d "$shared/$d" ] || { echo "alpha-study: $shared/$d not found (set SHARED)" >&2; exit 1; }
done
sweep() {  # test set, sigma, output, settings...
  local set=$1 sigma=$2 o=$3; shift 3
  "$dni" sweep --config "$root/conf/paper-sweep.conf" "dni.input.images=\"$shared/$set\"" "$pair" \
    "dni.degradation=[{type=gaussian-noise,sigma=$sigma,clip=false}]" dni.sweep.output="$out/$o" "$@" > /dev/null
}
adaptive=(dni.sweep.region-adaptive.enabled=true "dni.sweep.region-adaptive.levels=[0.2, 0.4, 0.6, 0.8, 1.0]")
# (flat-alpha textured-alpha) pairs tried on Set12
VARIANTS=${VARIANTS:-"1.0:0.2 1.0:0.4 0.8:0.4"}

echo "== Set12 at sigma 30, 40, 50: the predictor's fit set"
for s in 30 40 50; do
  sweep Set12 $s set12-sigma$s
done
echo "== Set12 at sigma 40: region-adaptive variants ($VARIANTS)"
best_variant=""
best_psnr=-1
for v in $VARIANTS; do
  flat=${v%:*} textured=${v#*:}
  sweep Set12 40 "set12-sigma40-adaptive-$flat-$textured" "${adaptive[@]}" dni.sweep.region-adaptive.flat-alpha="$flat" \
    dni.sweep.region-adaptive.textured-alpha="$textured"
  p=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["region_adaptive"]["mean_psnr_rgb"])' \
    "$out/set12-sigma40-adaptive-$flat-$textured/summary.json")
  echo "   flat-alpha $flat, textured-alpha $textured: mean PSNR $p dB"
  if /usr/bin/python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$p" "$best_psnr"; then
    best_psnr=$p best_variant=$v
  fi
done
flat=${best_variant%:*} textured=${best_variant#*:}
echo "   chosen on Set12: flat-alpha $flat, textured-alpha $textured"
echo "== BSD68 at sigma 40: grid, oracle, predictor, region-adaptive"
sweep BSD68 40 bsd68-sigma40 "${adaptive[@]}" dni.sweep.region-adaptive.flat-alpha="$flat" \
  dni.sweep.region-adaptive.textured-alpha="$textured" "dni.sweep.region-adaptive.frames=[test037, test052, test058]" \
  "dni.sweep.predictor.fit-from=[\"$out/set12-sigma30\", \"$out/set12-sigma40\", \"$out/set12-sigma50\"]" \
  dni.report.html=true
echo "== BSD68 at sigma 40: two-parameter per-layer schedules"
sweep BSD68 40 bsd68-sigma40-schedules "dni.sweep.schedule-grid={start=0.3,end=1.0,step=0.1}"
# the schedule was chosen on BSD68 itself: check the winner on Set12 (held out), beside Set12's best single alpha
fb=$(/usr/bin/python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["best"]
s = b.get("schedule") or {"front": b["alpha"], "back": b["alpha"]}
print("[%s, %s]" % (s["front"], s["back"]))' "$out/bsd68-sigma40-schedules/summary.json")
echo "== Set12 at sigma 40: the best BSD68 schedule $fb, held out"
sweep Set12 40 set12-sigma40-best-schedule "dni.sweep.schedules=[$fb]"
/usr/bin/python3 "$root/jobs/alpha-table.py" "$out" | tee "$out/table.md"
