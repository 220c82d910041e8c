#!/usr/bin/env bash
# Creates a local cluster for Eventline and installs its prerequisites (scripts/k8s/install.sh).
# Usage: scripts/k8s/up.sh kind|minikube
# kind: cluster "eventline" (context kind-eventline); minikube: profile "minikube" (context minikube),
# the contexts skaffold.yaml's profiles activate on.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../k8s/versions.env
source "${root}/k8s/versions.env"

fail() { echo "up: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is required ($2)"; }

need kubectl "https://kubernetes.io/docs/tasks/tools/"
need curl "to read the pinned release manifests"

case "${1:-}" in
  kind)
    need kind "https://kind.sigs.k8s.io/"
    context=kind-eventline
    if kind get clusters 2>/dev/null | grep -qx eventline; then
      echo "up: kind cluster eventline exists"
    else
      echo "up: creating kind cluster eventline (${KIND_NODE_IMAGE})"
      kind create cluster --config "${root}/k8s/kind-config.yaml" --image "${KIND_NODE_IMAGE}" --wait 120s
    fi
    ;;
  minikube)
    need minikube "https://minikube.sigs.k8s.io/"
    context=minikube
    if minikube status >/dev/null 2>&1; then
      echo "up: minikube is running"
    else
      echo "up: starting minikube (${KUBERNETES_VERSION})"
      # Kafka, Knative and the handlers need room: 4 CPUs and 8 GiB are comfortable.
      minikube start --kubernetes-version="${KUBERNETES_VERSION}" --cpus=4 --memory=8g
    fi
    ;;
  *)
    fail "usage: scripts/k8s/up.sh kind|minikube"
    ;;
esac

"${root}/scripts/k8s/install.sh" --context "${context}"

if [[ "$1" == kind ]]; then
  # kind maps localhost:31080 to this NodePort (k8s/kind-config.yaml).
  kubectl --context "${context}" -n kourier-system patch service/kourier --type json \
    -p '[{"op":"replace","path":"/spec/ports/0/nodePort","value":31080}]'
  echo "up: edge API also at http://flags-api.eventline.127.0.0.1.sslip.io:31080/healthz"
fi
