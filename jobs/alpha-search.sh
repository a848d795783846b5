#!/usr/bin/env bash
# The alpha search against the grid it replaces (issue "alpha search", docs/REPRODUCTION.md section 7): for each case
# a sweep over the 0.05 grid and a search (dni.sweep.search) over the same bracket, then one table of both.
#
#   jobs/alpha-search.sh [demo|dncnn|all]
#
#   demo:  conf/demo.conf (upconv_7 noise0 -> noise3 on demo/images; needs jobs/fetch-models.sh)
#   dncnn: the DnCNN reproduction's N20 -> N60 (MODELS, default out/paper/dncnn; jobs/reproduce-paper.sh dncnn train)
#          on TEST (default ../shared/data/BSD68) with Gaussian noise of sigma 30, 40 and 50
#
# METHOD (brent | golden, default brent) and TOLERANCE (default 0.025) set the search. Outputs under OUT (default
# out/alpha-search); finished runs are reused (if-exists = resume). Build first: mvn -B -q package -DskipTests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
out=${OUT:-$root/out/alpha-search}
models=${MODELS:-$root/out/paper/dncnn}
test=${TEST:-$root/../shared/data/BSD68}
method=${METHOD:-brent}
tolerance=${TOLERANCE:-0.025}
dni="$root/jobs/dni"
search=(dni.sweep.search.method="$method" dni.sweep.search.tolerance="$tolerance")
cases=()

if [ "$what" = demo ] || [ "$what" = all ]; then
  "$dni" sweep --config "$root/conf/demo.conf" dni.output.if-exists=resume dni.sweep.output="$out/demo-grid" > /dev/null
  "$dni" sweep --config "$root/conf/demo.conf" dni.output.if-exists=resume dni.sweep.output="$out/demo-search" \
    "${search[@]}" > /dev/null
  cases+=(demo)
fi
if [ "$what" = dncnn ] || [ "$what" = all ]; then
  for f in N20 N60; do
    [ -f "$models/$f.safetensors" ] || { echo "alpha-search: $models/$f.safetensors not found (jobs/reproduce-paper.sh dncnn train)" >&2; exit 1; }
  done
  [ -d "$test" ] || { echo "alpha-search: test set $test not found (set TEST)" >&2; exit 1; }
  for s in 30 40 50; do
    for mode in grid search; do
      extra=()
      [ "$mode" = search ] && extra=("${search[@]}")
      "$dni" sweep --config "$root/conf/paper-sweep.conf" "dni.input.images=\"$test\"" \
        "dni.models=[\"$models/N20.safetensors\",\"$models/N60.safetensors\"]" \
        "dni.degradation=[{type=gaussian-noise,sigma=$s,clip=false}]" dni.sweep.output="$out/dncnn-sigma$s-$mode" \
        ${extra[@]+"${extra[@]}"} > /dev/null
    done
    cases+=(dncnn-sigma$s)
  done
fi
/usr/bin/python3 - "$out" "${cases[@]}" <<'EOF'
import json, sys
out, cases = sys.argv[1], sys.argv[2:]
print("| case | metric | grid best alpha | grid mean | search best alpha | search mean | distance | points | inferences (search / grid) | within 0.025 and 40 % |")
print("|---|---|---|---|---|---|---|---|---|---|")
ok = True
for c in cases:
    g = json.load(open(f"{out}/{c}-grid/summary.json"))
    s = json.load(open(f"{out}/{c}-search/summary.json"))
    m = "mean_" + g["metric"]
    q = s["search"]
    d = abs(q["best"] - g["best"]["alpha"])
    frac = q["inferences"] / q["grid_inferences"]
    good = d <= 0.025 + 1e-9 and frac <= 0.4 and q["converged"]
    ok &= good
    print(f"| {c} | {g['metric']} | {g['best']['alpha']:.2f} | {g['best'][m]:.4f} | {q['best']:.4f} | {q['best_mean']:.4f} "
          f"| {d:.4f} | {len(q['evaluations'])} | {q['inferences']} / {q['grid_inferences']} = {100 * frac:.0f} % | {'yes' if good else 'NO'} |")
sys.exit(0 if ok else 1)
EOF
