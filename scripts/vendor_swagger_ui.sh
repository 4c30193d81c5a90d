#!/usr/bin/env bash
# Refresh the vendored Swagger UI (for /api/docs) from the npm registry (no CDN at run time).
set -euo pipefail
version="${1:-5.36.0}"
dest="$(dirname "$0")/../src/dailypapers/web/static/swagger-ui"
work="$(mktemp -d)"
(cd "$work" && npm pack "swagger-ui-dist@$version" >/dev/null 2>&1 && tar xzf swagger-ui-dist-*.tgz)
mkdir -p "$dest"
cp "$work/package/swagger-ui-bundle.js" "$work/package/LICENSE" "$work/package/NOTICE" "$dest/"
# The source maps are not shipped: drop the comment that points at them.
sed '/sourceMappingURL=/d' "$work/package/swagger-ui.css" > "$dest/swagger-ui.css"
rm -rf "$work"
echo "Swagger UI $version vendored into $dest"
