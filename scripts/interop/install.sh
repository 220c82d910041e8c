#!/usr/bin/env bash
# Installs the official CloudEvents SDK programs the interop tests drive (test/interop): ce-go,
# built with github.com/cloudevents/sdk-go/v2 from the Go module proxy, and a Python virtual
# environment with `cloudevents` (and requests) from PyPI. Idempotent: each is keyed by a hash of
# its sources and pinned versions (go.mod, go.sum, requirements.txt), and skipped when built.
# Usage: scripts/interop/install.sh   (prints the ce-go binary and the venv's python, one a line)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${root}/.cache/interop"
go_src="${root}/test/interop/go"
py_src="${root}/test/interop/python"
mkdir -p "${cache}"

# Test suites call this concurrently: one builds, the others wait and then find it built.
exec 9>"${cache}/.lock"
flock 9

key() { cat "$@" | sha256sum | cut -c1-16; }

go_key="$(key "${go_src}/go.mod" "${go_src}/go.sum" "${go_src}"/*.go)"
go_bin="${cache}/go-${go_key}/ce-go"
if [[ -x "${go_bin}" ]]; then
  echo "interop: ce-go ${go_key} already built" >&2
else
  command -v go >/dev/null || { echo "interop: go is required to build ce-go (sdk-go)" >&2; exit 1; }
  echo "interop: building ce-go with $(grep 'cloudevents/sdk-go' "${go_src}/go.mod" | xargs)" >&2
  tmp="$(mktemp -d "${cache}/build.XXXXXX")"
  trap 'rm -rf "${tmp}"' EXIT
  # go.sum is committed: the build fails rather than resolve other versions than it pins.
  (cd "${go_src}" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "${tmp}/ce-go" .)
  mkdir -p "$(dirname "${go_bin}")"
  # Same filesystem as the cache, so the rename is atomic: an interrupted build never looks done.
  mv -f "${tmp}/ce-go" "${go_bin}"
fi

py_key="$(key "${py_src}/requirements.txt")"
venv="${cache}/python-${py_key}"
if [[ -f "${venv}/.installed" ]]; then
  echo "interop: python venv ${py_key} already installed" >&2
else
  command -v python3 >/dev/null || { echo "interop: python3 is required for the Python SDK" >&2; exit 1; }
  echo "interop: installing $(xargs < "${py_src}/requirements.txt") into ${venv}" >&2
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "${py_src}/requirements.txt"
  touch "${venv}/.installed"
fi

echo "${go_bin}"
echo "${venv}/bin/python"
