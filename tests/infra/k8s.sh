#!/usr/bin/env bash
# Kubernetes for the chart tests, with no registry: kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy and kubectl built from the k8s.io/kubernetes Go module (its
# staging replaces swapped for the published modules); etcd, containerd, runc, the CNI plugins,
# iptables and conntrack from Debian; CoreDNS built from its Go module (only the plugins the
# cluster uses, tests/infra/k8s/coredns.go) and a static pause program (k8s/pause.c), each made
# into a one-layer image tarball for `ctr images import`. Idempotent: whatever of the pinned
# versions is already in the cache is reused. Prints the binaries' folder last (the images are
# in its sibling images/).
#
# Usage: tests/infra/k8s.sh [--check [apiserver]]
#   --check            build nothing; fail unless everything the cluster (tests/infra/cluster/)
#                      needs is there
#   --check apiserver  only what tests/infra/apiserver.py needs: etcd, kube-apiserver, kubectl
#   K8S_VERSION and COREDNS_VERSION override the pinned releases (v1.36.3, v1.14.7)
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
# The staging modules are published as v0.<minor>.<patch> of the same release.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
K8S_DIR="${INFRA_CACHE}/kubernetes-${K8S_VERSION}"
BIN_DIR="${K8S_DIR}/bin"
IMAGES_DIR="${K8S_DIR}/images"
COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
APISERVER_PACKAGES=(etcd-server openssl)
CLUSTER_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack iproute2)
# The images the cluster imports into its containerd: the names its configs and manifests use.
PAUSE_IMAGE="localhost/standin/pause:3.10"
COREDNS_IMAGE="localhost/standin/coredns:${COREDNS_VERSION#v}"

started=$(now)

installed() {
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

kubernetes_built() {
    for command in "${COMMANDS[@]}"; do [[ -x "${BIN_DIR}/${command}" ]] || return 1; done
    "${BIN_DIR}/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes ${K8S_VERSION}"
}

coredns_built() {
    # Captured first: grep -q stops reading early, and a SIGPIPE would fail the pipeline.
    local version
    version=$("${BIN_DIR}/coredns" -version 2>/dev/null) || return 1
    [[ "${version}" == "CoreDNS-${COREDNS_VERSION#v}"$'\n'* ]]
}

# The tarball's name records the recipe: a changed pause.c or coredns.go makes a new one.
image_tarball() { # NAME SOURCE
    echo "${IMAGES_DIR}/$1-$(sha256sum "$2" | cut -c1-12).tar"
}

images_built() {
    [[ -f "$(image_tarball pause "${HERE}/k8s/pause.c")" ]] \
        && [[ -f "$(image_tarball coredns "${HERE}/k8s/coredns.go")" ]]
}

if [[ "${1:-}" == --check ]]; then
    missing="run make infra-k8s (bash tests/infra/k8s.sh)"
    kubernetes_built && command -v etcd >/dev/null && installed "${APISERVER_PACKAGES[@]}" \
        || die "the Kubernetes ${K8S_VERSION} binaries or etcd are missing; ${missing}"
    if [[ "${2:-}" != apiserver ]]; then
        installed "${CLUSTER_PACKAGES[@]}" || die "containerd, runc, the CNI plugins or iptables are missing; ${missing}"
        coredns_built || die "CoreDNS ${COREDNS_VERSION} is not built; ${missing}"
        images_built || die "the pause and CoreDNS image tarballs are not built; ${missing}"
    fi
    echo "${BIN_DIR}"
    exit 0
fi

# go_build_needed WHAT BUILT: false if the function BUILT says WHAT is built; else the Go toolchain
# must be there.
go_build_needed() {
    if "$2"; then
        step "$1 already built"
        return 1
    fi
    command -v go >/dev/null || die "the Go toolchain is needed to build $1"
}

build_kubernetes() {
    go_build_needed "Kubernetes ${K8S_VERSION}" kubernetes_built || return 0
    step "downloading k8s.io/kubernetes@${K8S_VERSION}"
    local module_dir scratch
    module_dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" \
        | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
    [[ -d "${module_dir}" ]] || die "go mod download gave no folder for k8s.io/kubernetes@${K8S_VERSION}"
    # The module cache is read-only and the go.mod must change: build in a scratch copy.
    scratch="${K8S_DIR}/src"
    rm -rf "${scratch}" && mkdir -p "${scratch}"
    cp -r "${module_dir}/." "${scratch}/" && chmod -R u+w "${scratch}"
    # The module zip has no staging/ tree: depend on the published staging modules instead.
    local edits=()
    for staging in $(sed -n 's|^\s*\(k8s.io/[^ ]*\) => ./staging/.*|\1|p' "${scratch}/go.mod"); do
        edits+=("-dropreplace=${staging}" "-require=${staging}@${STAGING_VERSION}")
    done
    [[ ${#edits[@]} -gt 0 ]] || die "no staging replaces found in k8s.io/kubernetes@${K8S_VERSION}'s go.mod"
    step "dropping $((${#edits[@]} / 2)) staging replaces, requiring ${STAGING_VERSION} of each"
    (cd "${scratch}" && go mod edit "${edits[@]}")
    local minor="${K8S_VERSION#v1.}" && minor="${minor%%.*}"
    # The release build's version stamps: without them every binary reports v0.0.0.
    local ldflags="-s -w"
    for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags+=" -X ${package}.gitVersion=${K8S_VERSION} -X ${package}.gitMajor=1"
        ldflags+=" -X ${package}.gitMinor=${minor} -X ${package}.gitTreeState=clean"
    done
    step "building ${COMMANDS[*]} (10-20 min the first time on 2 cores)"
    mkdir -p "${BIN_DIR}"
    local packages=()
    for command in "${COMMANDS[@]}"; do packages+=("./cmd/${command}"); done
    (cd "${scratch}" && GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 "${NICE[@]}" \
        go build -trimpath -ldflags "${ldflags}" -o "${BIN_DIR}/" "${packages[@]}")
    rm -rf "${scratch}"
    kubernetes_built || die "the built kube-apiserver does not report Kubernetes ${K8S_VERSION}"
}

# CoreDNS as a library (its documented way to pick plugins): a one-file main module.
build_coredns() {
    go_build_needed "CoreDNS ${COREDNS_VERSION}" coredns_built || return 0
    step "building CoreDNS ${COREDNS_VERSION} (a few minutes the first time)"
    local scratch="${K8S_DIR}/coredns-src"
    rm -rf "${scratch}" && mkdir -p "${scratch}" "${BIN_DIR}"
    cp "${HERE}/k8s/coredns.go" "${scratch}/main.go"
    (
        cd "${scratch}"
        export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
        go mod init standin/coredns >/dev/null 2>&1
        go mod edit -require="github.com/coredns/coredns@${COREDNS_VERSION}"
        go mod tidy >/dev/null 2>&1 || go mod tidy
        "${NICE[@]}" go build -trimpath -ldflags "-s -w" -o "${BIN_DIR}/coredns" .
    )
    rm -rf "${scratch}"
    coredns_built || die "the built coredns does not report CoreDNS ${COREDNS_VERSION}"
}

# docker_archive REF OUT ROOT ENTRYPOINT...: ROOT as the one layer of an image in `docker save`'s
# format, which `ctr images import` reads; user 65532, no registry or Docker daemon involved.
docker_archive() {
    local ref="$1" out="$2" root="$3"
    shift 3
    local work layer_sha config_sha entrypoint
    work=$(mktemp -d)
    tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "${root}" -cf "${work}/layer.tar" .
    layer_sha=$(sha256sum "${work}/layer.tar" | cut -d' ' -f1)
    mkdir "${work}/${layer_sha}" && mv "${work}/layer.tar" "${work}/${layer_sha}/layer.tar"
    entrypoint=$(printf '"%s",' "$@")
    printf '{"architecture":"amd64","os":"linux","config":{"User":"65532","Entrypoint":[%s]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
        "${entrypoint%,}" "${layer_sha}" >"${work}/config.json"
    config_sha=$(sha256sum "${work}/config.json" | cut -d' ' -f1)
    mv "${work}/config.json" "${work}/${config_sha}.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
        "${config_sha}" "${ref}" "${layer_sha}" >"${work}/manifest.json"
    tar --numeric-owner --owner=0 --group=0 -C "${work}" -cf "${out}.partial" \
        manifest.json "${config_sha}.json" "${layer_sha}"
    mv "${out}.partial" "${out}"
    rm -rf "${work}"
}

build_images() {
    if images_built; then
        step "pause and CoreDNS images already built"
        return
    fi
    # gcc -static needs libc.a (libc6-dev), which a bare gcc does not bring.
    apt_install gcc libc6-dev
    step "building the pause and CoreDNS images (${PAUSE_IMAGE}, ${COREDNS_IMAGE})"
    mkdir -p "${IMAGES_DIR}"
    rm -f "${IMAGES_DIR}"/*.tar
    local root
    root=$(mktemp -d)
    gcc -static -Os -s -o "${root}/pause" "${HERE}/k8s/pause.c"
    docker_archive "${PAUSE_IMAGE}" "$(image_tarball pause "${HERE}/k8s/pause.c")" "${root}" /pause
    rm -rf "${root}" && root=$(mktemp -d)
    cp "${BIN_DIR}/coredns" "${root}/coredns"
    docker_archive "${COREDNS_IMAGE}" "$(image_tarball coredns "${HERE}/k8s/coredns.go")" "${root}" /coredns
    rm -rf "${root}"
}

apt_install "${APISERVER_PACKAGES[@]}" "${CLUSTER_PACKAGES[@]}"
build_kubernetes
build_coredns
build_images
step "kubernetes $("${BIN_DIR}/kube-apiserver" --version), etcd $(etcd --version | sed -n 's/^etcd Version: //p')," \
    "containerd $(containerd --version | cut -d' ' -f3), CoreDNS ${COREDNS_VERSION} ready in $(($(now) - started)) s"
echo "${BIN_DIR}"
