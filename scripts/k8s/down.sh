#!/usr/bin/env bash
# Deletes the local cluster scripts/k8s/up.sh created. Usage: scripts/k8s/down.sh kind|minikube
set -euo pipefail
case "${1:-}" in
  kind) kind delete cluster --name eventline ;;
  minikube) minikube delete ;;
  *) echo "usage: scripts/k8s/down.sh kind|minikube" >&2; exit 1 ;;
esac
