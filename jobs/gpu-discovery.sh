#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript / spark.worker.resource.gpu.discoveryScript):
# prints the GPUs of this machine as Spark's ResourceInformation JSON, addresses being CUDA device indices.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null; then
  echo '{"name": "gpu", "addresses": []}'
  exit 0
fi
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | awk 'NF {printf "%s\"%s\"", sep, $1; sep=", "}')
echo "{\"name\": \"gpu\", \"addresses\": [$addresses]}"
