#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser test, idempotently, and prints its path.
# The browser comes from the Debian archive like the servers' packages; playwright-core drives it
# through executablePath, so no browser is ever downloaded by npm.
set -euo pipefail

# shellcheck source=../servers/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../servers/common.sh"
COMPONENT=chromium

lock_dir="$REPO_ROOT/.cache/browser"
mkdir -p "$lock_dir"
exec 9>"$lock_dir/.lock"
flock -w 600 9 || die "another chromium.sh holds $lock_dir/.lock for more than 600s"
apt_install chromium
command -v chromium >/dev/null || die "chromium is not on PATH after installing the package"
command -v chromium
