#!/bin/sh
# Installs one service package's production dependencies without the files that never run, and
# leaves beside them only what its image needs: the workspaces that install links (listed in
# linked-workspaces.txt), each with the node_modules npm gave it of its own. Run from a directory
# holding package.json, package-lock.json and every workspace's package.json. Used by
# docker/Dockerfile and by `npm run bench -- images`.
set -eu
service="${1:?usage: install-production-deps.sh <package directory under services/>}"
test -f "services/${service}/package.json" || {
  echo "install-production-deps: no package services/${service}" >&2
  exit 1
}
npm install --omit=dev --ignore-scripts --no-audit --no-fund --workspace "services/${service}"
find node_modules/@eventline -mindepth 1 -maxdepth 1 -type l -exec realpath --relative-to=. {} + \
  | sort > linked-workspaces.txt
for dir in shared/* services/*; do
  grep -qx "$dir" linked-workspaces.txt || rm -rf "$dir"
done
# Type declarations, source maps and docs are about half of node_modules and never run. npm puts
# a dependency in a workspace's own node_modules when the root has another version of it.
find . -type d -path '*/node_modules/@types' -prune -exec rm -rf {} +
find . -type f -path '*/node_modules/*' \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
  -o -name '*.map' -o -iname '*.md' -o -iname '*.markdown' \) -delete
