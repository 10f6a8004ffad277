#!/usr/bin/env bash
# The README's first screen, as a newcomer follows it: the commands between the `<!-- first-screen -->`
# markers of README.md, run exactly as written (read from the README, so the two cannot drift), and a
# check that the demo printed the example execution. Run by .ci/run after `pnpm install`; standalone:
#   scripts/first-screen.sh
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLE_EXECUTION=022c61de-9bfc-4a94-8a9c-43c5f8ac153e

commands=$(awk '
  /^<!-- first-screen -->$/ { inside = 1; next }
  /^<!-- \/first-screen -->$/ { inside = 0 }
  inside && !/^```/ && !/^[[:space:]]*(#|$)/ { print }
' README.md)
if [ -z "$commands" ]; then
  echo "first-screen: README.md has no commands between <!-- first-screen --> and <!-- /first-screen -->" >&2
  exit 1
fi

started=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS= read -r line; do
  # Installing pnpm globally again would change the machine for nothing: the same version is the same.
  if [[ "$line" =~ ^npm\ i(nstall)?\ -g\ pnpm@([0-9.]+)$ ]] && [ "$(pnpm --version 2>/dev/null)" = "${BASH_REMATCH[2]}" ]; then
    echo "\$ $line   (pnpm ${BASH_REMATCH[2]} is installed already: skipped)"
    continue
  fi
  echo "\$ $line"
  if ! bash -o pipefail -c "$line" 2>&1 | tee -a "$log"; then
    echo "first-screen: the README's command failed: $line" >&2
    exit 1
  fi
done <<< "$commands"

# The demo prints the example execution, retrieved from the mock.
if ! grep -q "Execution ${EXAMPLE_EXECUTION} .*: SUCCEEDED" "$log"; then
  echo "first-screen: the demo did not print the example execution ${EXAMPLE_EXECUTION} as SUCCEEDED" >&2
  exit 1
fi
echo "first-screen: the README's quick start works as written ($(($(date +%s) - started)) s)"
