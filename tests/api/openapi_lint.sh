#!/usr/bin/env bash
# Lints api/openapi.json with Redocly CLI under api/redocly.yaml (the
# recommended-strict rules: any finding fails). Redocly comes from npm and is
# installed on first use into BUILD_DIR/npm, then reused; npm itself comes
# from tools/deps, so a missing npm is a failure, not a skip.
# Usage: tests/api/openapi_lint.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$2"

# Pinned, so that a new release cannot change the verdict on its own. (1.x's
# newest, 1.34.21, names a dependency version the registry does not have.)
version=1.34.20
prefix="$build/npm"
redocly="$prefix/node_modules/.bin/redocly"
stamp="$prefix/redocly-cli.version"

if ! command -v npm >/dev/null; then
  echo "openapi_lint: npm is not installed; run tools/deps" >&2
  exit 1
fi
if [ ! -x "$redocly" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  echo "openapi_lint: installing @redocly/cli@$version into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --cache "$prefix/cache" --no-audit --no-fund \
      --loglevel=error "@redocly/cli@$version" >&2
  echo "$version" >"$stamp"
fi

# No telemetry, no update check: the test talks to nothing.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
exec "$redocly" lint --config "$src/api/redocly.yaml" "$src/api/openapi.json"
