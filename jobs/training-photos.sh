#!/usr/bin/env bash
# Assembles the training photographs of the paper reproduction (docs/REPRODUCTION.md) in one folder:
#   - ten photographs from scikit-image's sample data (Debian python3-skimage; CC0 / public domain; camera.png is
#     left out because the same "cameraman" photograph is in the Set12 test set),
#   - seven photographs from Debian's ukui-wallpapers and lomiri-wallpapers-20.04 packages (CC-BY-SA), fetched with
#     apt-get download (no root needed) when they are not installed.
# None of them is in BSD68 or Set12. Each file is checked against jobs/training-photos.sha256.
#
#   jobs/training-photos.sh [DEST]     # default ~/.cache/dni-spark/training-photos
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$HOME/.cache/dni-spark/training-photos}
list="$here/training-photos.sha256"
if [ -d "$dest" ] && (cd "$dest" && sha256sum --quiet --strict -c "$list") >/dev/null 2>&1; then
  echo "training-photos: $dest is complete ($(wc -l < "$list") photographs verified)"
  exit 0
fi
skimage=$(/usr/bin/python3 -c 'import os, skimage.data as d; print(os.path.dirname(d.__file__))' 2>/dev/null || true)
if [ -z "$skimage" ] || [ ! -f "$skimage/chelsea.png" ]; then
  echo "training-photos: python3-skimage is required (apt-get install python3-skimage)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wallpapers=/usr/share/backgrounds
if [ ! -f "$wallpapers/Kleiber_by_Lukas_Baubkus.jpg" ] || [ ! -f "$wallpapers/rhythm.jpg" ]; then
  echo "training-photos: apt-get download ukui-wallpapers lomiri-wallpapers-20.04 ..."
  (cd "$tmp" && apt-get download -q ukui-wallpapers lomiri-wallpapers-20.04 >/dev/null 2>&1) || {
    echo "training-photos: apt-get download failed (no package index? run apt-get update)" >&2; exit 1; }
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  wallpapers="$tmp/root/usr/share/backgrounds"
fi
mkdir -p "$dest"
for f in astronaut.png chelsea.png coffee.png rocket.jpg motorcycle_left.png coins.png moon.png grass.png \
         gravel.png brick.png; do
  cp "$skimage/$f" "$dest/"
done
for f in Kleiber_by_Lukas_Baubkus.jpg Infinite-Sea_by_Aury88.jpg rhythm.jpg string.jpg the-mouse.jpg \
         firstgeneration.jpg 2004default.jpg; do
  cp "$wallpapers/$f" "$dest/"
done
if ! (cd "$dest" && sha256sum --quiet --strict -c "$list"); then
  echo "training-photos: SHA-256 mismatch against $list (another package version?)" >&2
  exit 1
fi
echo "training-photos: $(wc -l < "$list") photographs in $dest"
