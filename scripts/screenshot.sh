#!/usr/bin/env bash
# Screenshot of a report page with headless Chromium (Debian package chromium), offline:
#   scripts/screenshot.sh runs/<run>/report.html docs/report.png
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 REPORT.html OUT.png" >&2; exit 2; }
page="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --screenshot="$out" \
  --window-size=1200,1600 "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "screenshot: no $out written" >&2; exit 1; }
echo "wrote $out"
