#!/usr/bin/env bash
# End-to-end GPU check, ready for a machine with an NVIDIA GPU (driver for CUDA 12.4 or later), Java 17 and Maven:
# builds the CUDA flavour, runs the demo sweep on the CPU and on the GPU (same inputs, 21 alphas, 4 photos) and
# prints the GPU's throughput, the speed-up, and the largest PSNR difference between the two runs.
#
#   jobs/gpu-check.sh            # a few minutes; first run downloads the 2.5 GB CUDA libtorch jar once
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found; no GPU here" >&2; exit 2; }
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader
jobs/fetch-models.sh
# target/lib must hold one libtorch flavour only; `mvn package` without -Pcuda restores the CPU build.
rm -rf target/lib
mvn -B -q -Pcuda package -DskipTests
out=${GPU_CHECK_OUT:-out/gpu-check}
common=(--config conf/demo.conf dni.output.if-exists=overwrite dni.inference.tile-size=512)
jobs/dni sweep "${common[@]}" dni.inference.device=cpu dni.sweep.output="$out/cpu" >/dev/null
jobs/dni sweep "${common[@]}" dni.inference.device=gpu dni.inference.batch-size=8 dni.sweep.output="$out/gpu" >/dev/null
ms() { grep -o '"inference_ms" : [0-9]*' "$1/manifest.json" | awk '{print $3}'; }
cpu_ms=$(ms "$out/cpu"); gpu_ms=$(ms "$out/gpu")
# 4 photos x 21 alphas, each 256x256 output pixels.
mpx=$(awk 'BEGIN {print 4 * 21 * 256 * 256 / 1e6}')
awk -v c="$cpu_ms" -v g="$gpu_ms" -v m="$mpx" 'BEGIN {
  printf "inference: cpu %d ms, gpu %d ms; gpu throughput %.1f Mpx/s; speed-up %.1fx\n", c, g, m / (g / 1000), c / g }'
paste -d, "$out/cpu/psnr.csv" "$out/gpu/psnr.csv" | awk -F, 'NR > 1 {
  d = $6 - $15; if (d < 0) d = -d; if (d > m) m = d; e = $7 - $16; if (e < 0) e = -e; if (e > m) m = e }
  END { printf "largest PSNR difference gpu vs cpu: %.4f dB\n", m; exit (m < 0.05 ? 0 : 1) }'
grep -o '"device" : "[a-z]*"' "$out/gpu/manifest.json" | head -1
