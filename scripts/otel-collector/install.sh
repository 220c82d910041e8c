#!/usr/bin/env bash
# Builds the OpenTelemetry Collector the trace tests export to (test/observability): the
# collector's own OTLP receiver and the contrib file exporter, at the release go.mod pins, from the
# Go module proxy into .cache/otel-collector. Idempotent: keyed by a hash of main.go, go.mod and
# go.sum, and skipped when built (about a minute cold on two cores).
# Usage: scripts/otel-collector/install.sh   (prints the collector binary on its last line)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="${root}/scripts/otel-collector"
cache="${root}/.cache/otel-collector"
mkdir -p "${cache}"

# Test suites call this concurrently: one builds, the others wait and then find it built.
exec 9>"${cache}/.lock"
flock 9

key="$(cat "${src}/main.go" "${src}/go.mod" "${src}/go.sum" | sha256sum | cut -c1-16)"
bin="${cache}/${key}/eventline-otelcol"
if [[ -x "${bin}" ]]; then
  echo "otel-collector: ${key} already built" >&2
else
  command -v go >/dev/null || { echo "otel-collector: go is required to build the collector" >&2; exit 1; }
  echo "otel-collector: building $(grep 'collector/otelcol ' "${src}/go.mod" | xargs)" >&2
  tmp="$(mktemp -d "${cache}/build.XXXXXX")"
  trap 'rm -rf "${tmp}"' EXIT
  # go.sum is committed: the build fails rather than resolve other versions than it pins.
  (cd "${src}" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w" -o "${tmp}/eventline-otelcol" .)
  mkdir -p "$(dirname "${bin}")"
  # Same filesystem as the cache, so the rename is atomic: an interrupted build never looks done.
  mv -f "${tmp}/eventline-otelcol" "${bin}"
fi

echo "${bin}"
