#!/usr/bin/env bash
# Installs what the Eventline chart needs into the current kube context, in order, waiting for each
# part to be ready: Knative Serving + Kourier, Knative Eventing, Strimzi + a single-node Kafka,
# the Knative Kafka broker/source/sink, then development Postgres and Redis.
# Versions: k8s/versions.env. Re-running it is safe (server-side apply).
# Usage: scripts/k8s/install.sh [--context NAME]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../k8s/versions.env
source "${root}/k8s/versions.env"

kubectl_args=()
if [[ "${1:-}" == "--context" ]]; then kubectl_args=(--context "$2"); fi
k() { kubectl "${kubectl_args[@]}" "$@"; }

step() { echo; echo "==> $*"; }
fail() { echo "install: $*" >&2; exit 1; }
trap 'echo "install: failed during: ${current_step:-setup}" >&2' ERR

apply_url() { k apply --server-side --force-conflicts -f "$1" >/dev/null; }
wait_deployments() {
  local ns="$1"
  k -n "${ns}" wait deployment --all --for=condition=Available --timeout=600s
}

command -v kubectl >/dev/null || fail "kubectl is required"
k cluster-info >/dev/null || fail "no cluster reachable in the current kube context"

gh=https://github.com

current_step="Knative Serving ${KNATIVE_SERVING_VERSION}"; step "${current_step}"
apply_url "${gh}/knative/serving/releases/download/${KNATIVE_SERVING_VERSION}/serving-crds.yaml"
k wait --for=condition=Established --timeout=120s crd/services.serving.knative.dev
apply_url "${gh}/knative/serving/releases/download/${KNATIVE_SERVING_VERSION}/serving-core.yaml"
wait_deployments knative-serving

current_step="Kourier ${KNATIVE_KOURIER_VERSION}"; step "${current_step}"
apply_url "${gh}/knative-extensions/net-kourier/releases/download/${KNATIVE_KOURIER_VERSION}/kourier.yaml"
wait_deployments kourier-system
k -n knative-serving patch configmap/config-network --type merge \
  -p '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
# Every Knative Service answers at <name>.<namespace>.127.0.0.1.sslip.io: reachable through a
# port-forward of svc/kourier to localhost:8080 (skaffold does it) or kind's NodePort mapping.
k -n knative-serving patch configmap/config-domain --type merge -p '{"data":{"127.0.0.1.sslip.io":""}}'
# Images loaded into kind or built in minikube's docker exist in no registry: do not resolve their
# tags to digests (Docker Hub-style names, which skaffold's local builds use, are skipped here).
k -n knative-serving patch configmap/config-deployment --type merge \
  -p '{"data":{"registries-skipping-tag-resolving":"kind.local,ko.local,dev.local,index.docker.io"}}'

current_step="Knative Eventing ${KNATIVE_EVENTING_VERSION}"; step "${current_step}"
apply_url "${gh}/knative/eventing/releases/download/${KNATIVE_EVENTING_VERSION}/eventing-crds.yaml"
k wait --for=condition=Established --timeout=120s crd/triggers.eventing.knative.dev
apply_url "${gh}/knative/eventing/releases/download/${KNATIVE_EVENTING_VERSION}/eventing-core.yaml"
wait_deployments knative-eventing
# Sender identities: the chart's EventPolicies (senderAuthorization) need OIDC, off by default.
k -n knative-eventing patch configmap/config-features --type merge \
  -p '{"data":{"authentication-oidc":"enabled"}}'

current_step="namespaces"; step "${current_step}"
k apply --server-side -f "${root}/k8s/namespaces.yaml"

current_step="Strimzi ${STRIMZI_VERSION} and a single-node Kafka ${KAFKA_VERSION}"; step "${current_step}"
# The release manifest names the namespace "myproject"; the operator runs in and watches "kafka".
curl -fsSL "${gh}/strimzi/strimzi-kafka-operator/releases/download/${STRIMZI_VERSION}/strimzi-cluster-operator-${STRIMZI_VERSION}.yaml" \
  | sed 's/namespace: .*/namespace: kafka/' \
  | k -n kafka apply --server-side --force-conflicts -f - >/dev/null
wait_deployments kafka
k apply --server-side -f "${root}/k8s/kafka/cluster.yaml"
k -n kafka wait kafka/eventline-kafka --for=condition=Ready --timeout=900s

current_step="Knative Kafka broker, source and sink ${KNATIVE_KAFKA_VERSION}"; step "${current_step}"
for part in eventing-kafka-controller eventing-kafka-broker eventing-kafka-source eventing-kafka-sink; do
  apply_url "${gh}/knative-extensions/eventing-kafka-broker/releases/download/${KNATIVE_KAFKA_VERSION}/${part}.yaml"
done
# The data plane's default bootstrap servers: the Strimzi cluster above.
k -n knative-eventing patch configmap/kafka-broker-config --type merge \
  -p '{"data":{"bootstrap.servers":"eventline-kafka-kafka-bootstrap.kafka.svc:9092","default.topic.replication.factor":"1"}}'
wait_deployments knative-eventing

current_step="development Postgres and Redis"; step "${current_step}"
k apply --server-side -f "${root}/k8s/infra/"
k -n eventline-infra rollout status statefulset/postgres --timeout=300s
k -n eventline-infra rollout status deployment/redis --timeout=300s

trap - ERR
step "ready: deploy with 'skaffold dev -p <kind|minikube> --port-forward' or 'helm install eventline charts/eventline -n eventline'"
