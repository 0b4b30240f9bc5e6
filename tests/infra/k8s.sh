#!/usr/bin/env bash
# Kubernetes binaries for the chart tests: kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet and kubectl built from the k8s.io/kubernetes Go module (its staging
# replaces swapped for the published modules), and etcd from Debian. Idempotent: binaries of
# the pinned version already in the cache are reused. Prints the binaries' folder last.
#
# Usage: tests/infra/k8s.sh [--check]   (--check: build nothing, fail unless already built;
#        K8S_VERSION overrides the pinned release, e.g. v1.36.3)
source "$(dirname "$0")/lib.sh"

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
# The staging modules are published as v0.<minor>.<patch> of the same release.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
BIN_DIR="${INFRA_CACHE}/kubernetes-${K8S_VERSION}/bin"
COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

started=$(now)

built() {
    for command in "${COMMANDS[@]}"; do [[ -x "${BIN_DIR}/${command}" ]] || return 1; done
    "${BIN_DIR}/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes ${K8S_VERSION}"
}

if [[ "${1:-}" == --check ]]; then
    built && command -v etcd >/dev/null || die "the Kubernetes ${K8S_VERSION} binaries are not built; run make infra-k8s"
    echo "${BIN_DIR}"
    exit 0
fi
apt_install etcd-server openssl

if built; then
    step "kubernetes ${K8S_VERSION} binaries already built"
else
    command -v go >/dev/null || die "the Go toolchain is needed to build Kubernetes ${K8S_VERSION}"
    step "downloading k8s.io/kubernetes@${K8S_VERSION}"
    module_dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" \
        | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
    [[ -d "${module_dir}" ]] || die "go mod download gave no folder for k8s.io/kubernetes@${K8S_VERSION}"
    # The module cache is read-only and the go.mod must change: build in a scratch copy.
    scratch="${INFRA_CACHE}/kubernetes-${K8S_VERSION}/src"
    rm -rf "${scratch}" && mkdir -p "${scratch}"
    cp -r "${module_dir}/." "${scratch}/" && chmod -R u+w "${scratch}"
    cd "${scratch}"
    # The module zip has no staging/ tree: depend on the published staging modules instead.
    edits=()
    for staging in $(sed -n 's|^\s*\(k8s.io/[^ ]*\) => ./staging/.*|\1|p' go.mod); do
        edits+=("-dropreplace=${staging}" "-require=${staging}@${STAGING_VERSION}")
    done
    [[ ${#edits[@]} -gt 0 ]] || die "no staging replaces found in k8s.io/kubernetes@${K8S_VERSION}'s go.mod"
    step "dropping $((${#edits[@]} / 2)) staging replaces, requiring ${STAGING_VERSION} of each"
    go mod edit "${edits[@]}"
    minor="${K8S_VERSION#v1.}" && minor="${minor%%.*}"
    # The release build's version stamps: without them every binary reports v0.0.0.
    ldflags="-s -w"
    for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags+=" -X ${package}.gitVersion=${K8S_VERSION} -X ${package}.gitMajor=1"
        ldflags+=" -X ${package}.gitMinor=${minor} -X ${package}.gitTreeState=clean"
    done
    step "building ${COMMANDS[*]} (10-20 min the first time on 2 cores)"
    mkdir -p "${BIN_DIR}"
    packages=()
    for command in "${COMMANDS[@]}"; do packages+=("./cmd/${command}"); done
    GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 "${NICE[@]}" \
        go build -trimpath -ldflags "${ldflags}" -o "${BIN_DIR}/" "${packages[@]}"
    cd / && rm -rf "${scratch}"
    built || die "the built kube-apiserver does not report Kubernetes ${K8S_VERSION}"
fi
step "kubernetes $("${BIN_DIR}/kube-apiserver" --version) and etcd $(etcd --version | sed -n 's/^etcd Version: //p') ready in $(($(now) - started)) s"
echo "${BIN_DIR}"
