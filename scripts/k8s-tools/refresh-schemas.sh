#!/usr/bin/env bash
# Re-creates test/charts/schemas from their published sources (needs network; CI never runs it).
# Versions must match k8s/versions.env and skaffold.yaml; record changes in test/charts/schemas/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../k8s/versions.env
source "${root}/k8s/versions.env"
KUBERNETES_VALIDATE_VERSION=1.37.0   # PyPI package shipping kubernetes-json-schema "local-strict"
SCHEMA_K8S_VERSION=1.34.0
SKAFFOLD_VERSION=v2.24.0
SKAFFOLD_SCHEMA=v4beta14

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
raw=https://raw.githubusercontent.com

echo "refresh-schemas: core Kubernetes ${SCHEMA_K8S_VERSION} from kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}"
python3 -m pip download --quiet --no-deps "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}" -d "${work}"
python3 -m zipfile -e "${work}"/kubernetes_validate-*.whl "${work}/wheel"
node "${root}/scripts/k8s-tools/vendor-schemas.mjs" core "${work}/wheel" "${SCHEMA_K8S_VERSION}" \
  configmap-v1.json secret-v1.json serviceaccount-v1.json networkpolicy-networking-v1.json \
  job-batch-v1.json pod-v1.json namespace-v1.json deployment-apps-v1.json statefulset-apps-v1.json \
  service-v1.json persistentvolumeclaim-v1.json poddisruptionbudget-policy-v1.json

echo "refresh-schemas: Knative and Strimzi CRDs"
mkdir -p "${work}/crds"
fetch() { curl -fsSL "$1" -o "${work}/crds/$2"; }
fetch "${raw}/knative/serving/${KNATIVE_SERVING_VERSION}/config/core/300-resources/service.yaml" serving-service.yaml
for crd in broker trigger sinkbindings pingsource eventpolicy; do
  fetch "${raw}/knative/eventing/${KNATIVE_EVENTING_VERSION}/config/core/resources/${crd}.yaml" "eventing-${crd}.yaml"
done
kafka="${raw}/knative-extensions/eventing-kafka-broker/${KNATIVE_KAFKA_VERSION}/control-plane/config/eventing-kafka-broker"
fetch "${kafka}/100-sink/100-kafka-sink.yaml" kafka-sink.yaml
fetch "${kafka}/100-source/100-kafka-source.yaml" kafka-source.yaml
strimzi="${raw}/strimzi/strimzi-kafka-operator/${STRIMZI_VERSION}/packaging/install/cluster-operator"
fetch "${strimzi}/040-Crd-kafka.yaml" strimzi-kafka.yaml
fetch "${strimzi}/045-Crd-kafkanodepool.yaml" strimzi-kafkanodepool.yaml
node "${root}/scripts/k8s-tools/vendor-schemas.mjs" crd "${work}"/crds/*.yaml

echo "refresh-schemas: skaffold ${SKAFFOLD_SCHEMA} from skaffold ${SKAFFOLD_VERSION}"
mkdir -p "${root}/test/charts/schemas/skaffold"
curl -fsSL "${raw}/GoogleContainerTools/skaffold/${SKAFFOLD_VERSION}/docs-v2/content/en/schemas/${SKAFFOLD_SCHEMA}.json" \
  -o "${root}/test/charts/schemas/skaffold/config_${SKAFFOLD_SCHEMA}.json"
