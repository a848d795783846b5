#!/usr/bin/env bash
# DNI against the pixel interpolation baseline (paper Fig. 5 and 7b) on the demo sweep (x2 MATLAB bicubic + JPEG q30
# on demo/images, 11 alphas): mean PSNR-Y per alpha for a correlated pair (noise0 -> noise3) and the uncorrelated
# pair (scale2.0x -> noise3). Prints a markdown table, and writes the four sweeps on one page: <output>/report.html.
#
#   jobs/pixel-vs-dni.sh [output-folder]      # default out/pixel-vs-dni; needs `mvn package` and jobs/fetch-models.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-out/pixel-vs-dni}
m=waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb
run() { # pair-name model-a model-b method
  "$root/jobs/dni" sweep --config "$root/conf/demo.conf" "dni.models=[\"$m/$2\", \"$m/$3\"]" \
    'dni.sweep.alphas=[0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]' "dni.sweep.method=$4" \
    "dni.sweep.output=\"$out/$1-$4\"" >/dev/null
}
for method in dni pixel; do
  run correlated noise0_scale2.0x_model noise3_scale2.0x_model $method
  run uncorrelated scale2.0x_model noise3_scale2.0x_model $method
done
echo "| alpha | noise0 → noise3, DNI | noise0 → noise3, pixel | scale2.0x → noise3, DNI | scale2.0x → noise3, pixel |"
echo "|---|---|---|---|---|"
paste -d, "$out/correlated-dni/per_alpha.csv" "$out/correlated-pixel/per_alpha.csv" \
  "$out/uncorrelated-dni/per_alpha.csv" "$out/uncorrelated-pixel/per_alpha.csv" | awk -F, 'NR > 1 {
  printf "| %s | %.2f | %.2f | %.2f | %.2f |\n", $3, $6, $15, $24, $33 }'
"$root/jobs/dni" report "$out/correlated-dni" "$out/correlated-pixel" "$out/uncorrelated-dni" \
  "$out/uncorrelated-pixel" --output "$out/report.html" >/dev/null
echo
echo "The four sweeps on one page: $out/report.html"
