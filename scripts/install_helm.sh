#!/usr/bin/env bash
# Build the Helm CLI from its Go module into a per-user cache (no binary downloads here),
# so the template's tests can lint and render the generated chart. Idempotent: a binary
# of the pinned version already in the cache is reused. Prints the binary's path last.
#
# Usage: scripts/install_helm.sh            (HELM_VERSION, HELM_BIN_DIR override the defaults)
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# The Kubernetes version helm assumes without a cluster (helm template, lint): the release build
# derives it from its client-go module (v0.37 -> 1.37); go install would leave it at 1.20.
HELM_KUBE_MINOR="${HELM_KUBE_MINOR:-37}"
HELM_BIN_DIR="${HELM_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cookiecutter-ai-solution/helm-${HELM_VERSION}}"
helm_bin="${HELM_BIN_DIR}/helm"

if [[ -x "${helm_bin}" ]] && [[ "$("${helm_bin}" version --short 2>/dev/null)" == "${HELM_VERSION}"* ]]; then
    echo "helm ${HELM_VERSION} already built" >&2
    echo "${helm_bin}"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "error: the Go toolchain is needed to build helm ${HELM_VERSION}; install Go 1.24+ and retry" >&2
    exit 1
fi

echo "building helm ${HELM_VERSION} from its Go module into ${HELM_BIN_DIR} (a few minutes the first time)..." >&2
mkdir -p "${HELM_BIN_DIR}"
# The same version ldflags as the release build: `helm version` and the default Kubernetes version.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for package in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X ${package}.k8sVersionMajor=1 -X ${package}.k8sVersionMinor=${HELM_KUBE_MINOR}"
done
GOBIN="${HELM_BIN_DIR}" CGO_ENABLED=0 go install -trimpath -ldflags "${ldflags}" \
    "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"${helm_bin}" version --short >&2
echo "${helm_bin}"
