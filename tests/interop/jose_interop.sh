#!/usr/bin/env bash
# ctest jose_interop: verifies keel's EdDSA tokens with jose (npm), an
# independent JOSE implementation, fetching keys from keel's JWK Set.
# Usage: tests/interop/jose_interop.sh BUILD_DIR
# jose is installed once into BUILD_DIR/npm (npm comes from tools/deps);
# nothing is downloaded at build time.
set -euo pipefail
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$build/npm"
if [ ! -f "$prefix/node_modules/jose/package.json" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error jose@5 >&2
fi
exec node "$here/jose_interop.mjs" "$build" "$prefix"
