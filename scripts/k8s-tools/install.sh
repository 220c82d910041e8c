#!/usr/bin/env bash
# Builds the offline manifest-validation tools (helm, kubeconform, and knative-validate: Knative
# Serving's own defaulting and validation, scripts/k8s-tools/knative-validate) from the Go module
# proxy into .cache/k8s-tools/bin. Idempotent: a tool whose pinned version is already built is
# skipped.
# Usage: scripts/k8s-tools/install.sh   (prints the bin directory on its last line)
set -euo pipefail

HELM_VERSION="v3.22.0"
# The Kubernetes API version helm v3.22.0 is built against (its go.mod's k8s.io/client-go v0.37):
# `helm template` and `helm lint` assume it when no --kube-version is given, as release builds do.
HELM_K8S_MINOR="37"
KUBECONFORM_VERSION="v0.8.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${root}/.cache/k8s-tools/bin"
mkdir -p "${bin}"

# Test suites call this concurrently: one builds, the others wait and then find it built.
exec 9>"${root}/.cache/k8s-tools/.lock"
flock 9

command -v go >/dev/null || { echo "k8s-tools: go is required to build helm, kubeconform and knative-validate" >&2; exit 1; }

# build NAME MODULE/CMD VERSION: go install into a temporary GOBIN, then move into place with a
# stamp so an interrupted build never looks finished.
build() {
  local name="$1" pkg="$2" version="$3"
  local stamp="${bin}/.${name}.version"
  if [[ -x "${bin}/${name}" && -f "${stamp}" && "$(cat "${stamp}")" == "${version}${BUILD_ID}" ]]; then
    echo "k8s-tools: ${name} ${version} already built"
    return
  fi
  echo "k8s-tools: building ${name} ${version} from ${pkg} (takes a few minutes cold)"
  local tmp
  # Same filesystem as bin/, so the final mv is an atomic rename.
  tmp="$(mktemp -d "${root}/.cache/k8s-tools/build.XXXXXX")"
  trap 'rm -rf "${tmp}"' RETURN
  # Both tools report their version from ldflags; without them they say "development".
  local ldflags=""
  case "${name}" in
    helm)
      ldflags="-X helm.sh/helm/v3/internal/version.version=${version}"
      for pkg_path in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
        ldflags+=" -X ${pkg_path}.k8sVersionMajor=1 -X ${pkg_path}.k8sVersionMinor=${HELM_K8S_MINOR}"
      done
      ;;
    kubeconform) ldflags="-X main.version=${version}" ;;
  esac
  if ! GOBIN="${tmp}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w ${ldflags}" "${pkg}@${version}"; then
    echo "k8s-tools: building ${name} ${version} failed" >&2
    exit 1
  fi
  mv -f "${tmp}/${name}" "${bin}/${name}"
  echo "${version}${BUILD_ID}" > "${stamp}"
}

# Bump BUILD_ID when the build flags change, so cached binaries are rebuilt.
BUILD_ID="+1"
build helm "helm.sh/helm/v3/cmd/helm" "${HELM_VERSION}"
build kubeconform "github.com/yannh/kubeconform/cmd/kubeconform" "${KUBECONFORM_VERSION}"

# build_local NAME DIR: go build of a module kept in the repo (its go.mod pins the versions and
# go.sum their hashes); the stamp is a hash of its sources, so an edit rebuilds it.
build_local() {
  local name="$1" dir="${root}/$2"
  local stamp="${bin}/.${name}.version" version
  version="$(cd "${dir}" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
  if [[ -x "${bin}/${name}" && -f "${stamp}" && "$(cat "${stamp}")" == "${version}${BUILD_ID}" ]]; then
    echo "k8s-tools: ${name} ${version} already built"
    return
  fi
  echo "k8s-tools: building ${name} from $2 (takes a few minutes cold)"
  local tmp
  tmp="$(mktemp -d "${root}/.cache/k8s-tools/build.XXXXXX")"
  trap 'rm -rf "${tmp}"' RETURN
  if ! (cd "${dir}" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -ldflags "-s -w" -o "${tmp}/${name}" .); then
    echo "k8s-tools: building ${name} failed" >&2
    exit 1
  fi
  mv -f "${tmp}/${name}" "${bin}/${name}"
  echo "${version}${BUILD_ID}" > "${stamp}"
}

build_local knative-validate "scripts/k8s-tools/knative-validate"

"${bin}/helm" version --short
"${bin}/kubeconform" -v
"${bin}/knative-validate" -v
echo "${bin}"
