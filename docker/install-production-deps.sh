#!/bin/sh
# Installs one service package's production dependencies into ./node_modules without the files
# that never run, and writes linked-workspaces.txt: the workspaces that install links, the only
# ones the image needs. Run from a directory holding package.json, package-lock.json and every
# workspace's package.json. Used by docker/Dockerfile and by `npm run bench -- images`.
set -eu
service="${1:?usage: install-production-deps.sh <package directory under services/>}"
test -f "services/${service}/package.json" || {
  echo "install-production-deps: no package services/${service}" >&2
  exit 1
}
npm install --omit=dev --ignore-scripts --no-audit --no-fund --workspace "services/${service}"
# Type declarations, source maps and docs are about half of node_modules and never run.
rm -rf node_modules/@types
find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
  -o -iname '*.md' -o -iname '*.markdown' \) -delete
find node_modules/@eventline -mindepth 1 -maxdepth 1 -type l -exec realpath --relative-to=. {} + \
  > linked-workspaces.txt
