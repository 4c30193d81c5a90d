#!/usr/bin/env bash
# Refresh the vendored KaTeX from the npm registry (no CDN at run time).
set -euo pipefail
version="${1:-0.19.1}"
dest="$(dirname "$0")/../src/dailypapers/web/static/katex"
work="$(mktemp -d)"
(cd "$work" && npm pack "katex@$version" >/dev/null && tar xzf katex-*.tgz)
mkdir -p "$dest/fonts"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" "$dest/"
cp "$work/package/dist/contrib/auto-render.min.js" "$dest/"
cp "$work/package/dist/fonts/"*.woff2 "$dest/fonts/"
cp "$work/package/LICENSE" "$dest/LICENSE"
rm -rf "$work"
echo "KaTeX $version vendored into $dest"
