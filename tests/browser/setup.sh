#!/usr/bin/env bash
# Installs what the browser tests need, and nothing else: Debian's chromium (no browser
# download) and the npm package playwright-core pinned in package-lock.json. Safe to re-run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]} with apt-get"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if npm ls --silent playwright-core >/dev/null 2>&1 &&
  cmp -s package-lock.json node_modules/.polsearch-lock 2>/dev/null; then
  echo "setup.sh: node_modules is up to date"
else
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.polsearch-lock
fi
echo "setup.sh: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), node $(node --version)"
