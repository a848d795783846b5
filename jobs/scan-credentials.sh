#!/usr/bin/env bash
# Fails when any log, report or output under the given folders holds one of the test credentials
# (src/test/java/org/dnispark/TestCredentials.java). Run by `mvn verify` after the integration tests.
# Prints the names of offending files, never the secret itself. Server configuration files that must hold the
# credential to check signatures (s3proxy.conf) are not logs and are skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/src/test/java/org/dnispark/TestCredentials.java"
mapfile -t secrets < <(grep -o '"dni-test-[a-z]*-[0-9a-f]*"' "$src" | tr -d '"')
[ ${#secrets[@]} -eq 2 ] || { echo "scan-credentials: cannot read the test credentials from $src" >&2; exit 2; }
dirs=()
for d in "$@"; do [ -e "$d" ] && dirs+=("$d"); done
[ ${#dirs[@]} -gt 0 ] || { echo "scan-credentials: nothing to scan" >&2; exit 2; }
files=$(find "${dirs[@]}" -type f ! -name s3proxy.conf | wc -l)
hits=""
for s in "${secrets[@]}"; do
  hits="$hits$(grep -rlaF --exclude=s3proxy.conf -- "$s" "${dirs[@]}" || true)"
done
if [ -n "$hits" ]; then
  echo "scan-credentials: a test credential appears in:" >&2
  echo "$hits" | sort -u >&2
  exit 1
fi
echo "scan-credentials: no credential in $files files under ${dirs[*]}"
