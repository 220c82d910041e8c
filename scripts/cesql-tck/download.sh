#!/usr/bin/env bash
# Downloads the CloudEvents SQL (CESQL) v1 conformance test cases (the TCK of cloudevents/spec
# cesql/cesql_tck, as github.com/cloudevents/sdk-go/sql/v2 ships them in test/tck) from the Go
# module proxy into .cache/go-mod. Idempotent: the Go module cache keeps a downloaded version.
# Usage: scripts/cesql-tck/download.sh   (prints the TCK directory on its last line)
set -euo pipefail

# The version Knative Eventing 1.22 pins in its go.mod: its webhook and broker filter use it.
MODULE="github.com/cloudevents/sdk-go/sql/v2"
VERSION="v2.0.0-20240712172937-3ce6b2f1f011"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${root}/.cache/go-mod"
mkdir -p "${cache}"

command -v go >/dev/null || { echo "cesql-tck: go is required to download ${MODULE}" >&2; exit 1; }

# Test workers call this concurrently: one downloads, the others wait and then find it there.
exec 9>"${cache}/.cesql-tck.lock"
flock 9

# Outside any module, so no go.mod is read or written; -modcacherw keeps the cache removable.
outside="$(mktemp -d)"
trap 'rm -rf "${outside}"' EXIT
dir="$(cd "${outside}" && GOMODCACHE="${cache}" GOFLAGS=-modcacherw \
  go mod download -json "${MODULE}@${VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
if [[ -z "${dir}" || ! -d "${dir}/test/tck" ]]; then
  echo "cesql-tck: downloading ${MODULE}@${VERSION} failed" >&2
  exit 1
fi
echo "${dir}/test/tck"
