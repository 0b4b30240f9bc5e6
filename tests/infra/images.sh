#!/usr/bin/env bash
# Stand-in images for the stack tests, since no container registry is reachable: each one is a
# Debian bookworm root built by mmdebstrap and `docker import`ed, saved as a tarball in the cache
# and loaded only when the daemon lacks it. Idempotent: a second run builds nothing.
#   python:3.11-slim      Debian's python3.11, a venv at /usr/local, the host's CA certificates
#   standin/postgres      Debian's postgresql-15 behind the official image's entrypoint contract
#   standin/keycloak      Maven Central's keycloak-quarkus-dist on openjdk-17, bash as /bin/sh
#   standin/minio         minio and mc built from their Go modules (release tags are refused)
# Usage: tests/infra/images.sh [python|postgres|keycloak|minio ...]   (default: all; prints tags)
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"

PYTHON_VERSION="${PYTHON_VERSION:-3.11}"
KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.4.7}"
MINIO_MODULE_VERSION="${MINIO_MODULE_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
MC_MODULE_VERSION="${MC_MODULE_VERSION:-v0.0.0-20250313080218-cf909e1063a9}"
# Bumped whenever a recipe below changes, so cached tarballs of an older recipe are rebuilt.
REVISION=1
IMAGES_DIR="${INFRA_CACHE}/images"
SUITE=bookworm
mkdir -p "${IMAGES_DIR}"

declare -A TAGS=(
    [python]="python:${PYTHON_VERSION}-slim"
    [postgres]="standin/postgres:15"
    [keycloak]="standin/keycloak:${KEYCLOAK_VERSION}"
    [minio]="standin/minio:${MINIO_MODULE_VERSION##*-}"
)

# The host's extra CA certificates (a TLS-intercepting proxy's among them) go into every root.
ca_hooks() {
    echo --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"'
    for cert in /usr/local/share/ca-certificates/*.crt; do
        [[ -e "${cert}" ]] && echo --customize-hook="copy-in ${cert} /usr/local/share/ca-certificates/"
    done
    echo --customize-hook='chroot "$1" update-ca-certificates --fresh >/dev/null'
}

# rootfs NAME PACKAGES [HOOK...]: a bookworm root folder with PACKAGES (kept until imported).
rootfs() {
    local name="$1" packages="$2"
    shift 2
    local out="${IMAGES_DIR}/${name}-rootfs"
    if [[ ! -d "${out}" ]]; then
        mapfile -t cas < <(ca_hooks)
        rm -rf "${out}.partial"
        # The host's pip settings name host paths (find-links) that mean nothing in the root.
        # man1 stays although man pages are excluded: openjdk's postinst links java.1 into it.
        env -u PIP_FIND_LINKS "${NICE[@]}" mmdebstrap --quiet --variant=apt --include="ca-certificates,${packages}" \
            --aptopt='APT::Install-Recommends "false"' --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
            --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
            "${cas[@]}" "$@" "${SUITE}" "${out}.partial" >&2
        mv "${out}.partial" "${out}"
    fi
    echo "${out}"
}

# import ROOT TAG [--change ...]: the root folder as a one-layer image, then the folder goes.
import_root() {
    local root="$1" tag="$2"
    shift 2
    tar --numeric-owner -C "${root}" -c . | "${DOCKER}" import "$@" - "${tag}" >/dev/null
    rm -rf "${root}"
}

# Host proxy settings, if any, so pip inside image builds goes the way the host's does.
proxy_changes() {
    for variable in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
        [[ -n "${!variable:-}" ]] && echo "--change=ENV ${variable}=${!variable}"
    done
    return 0
}

build_python() {
    local root
    root=$(rootfs python "python${PYTHON_VERSION},python${PYTHON_VERSION}-venv" \
        --customize-hook="chroot \"\$1\" python${PYTHON_VERSION} -m venv /usr/local" \
        --customize-hook='chroot "$1" /usr/local/bin/pip install --quiet --no-cache-dir --upgrade pip')
    mapfile -t proxies < <(proxy_changes)
    # pip and requests in the venv use their own CA bundles unless told to use the system one.
    import_root "${root}" "${TAGS[python]}" \
        --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' --change "ENV PYTHON_VERSION=${PYTHON_VERSION}" \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        "${proxies[@]}" --change 'CMD ["python3"]'
}

build_postgres() {
    local root
    root=$(rootfs postgres postgresql-15 \
        --customize-hook='rm -rf "$1/var/lib/postgresql/15" "$1/etc/postgresql/15"' \
        --customize-hook="copy-in ${HERE}/standins/postgres-entrypoint.sh /usr/local/bin/" \
        --customize-hook='chmod 0755 "$1/usr/local/bin/postgres-entrypoint.sh"')
    import_root "${root}" "${TAGS[postgres]}" \
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'EXPOSE 5432' \
        --change 'ENTRYPOINT ["postgres-entrypoint.sh"]' --change 'CMD ["postgres"]' \
       
}

# The same cached archive as the template's Keycloak test fixture, checked against Maven's SHA-1.
keycloak_archive() {
    local archive="${INFRA_CACHE}/../downloads/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz"
    local url="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/${KEYCLOAK_VERSION}/${archive##*/}"
    mkdir -p "$(dirname "${archive}")"
    if [[ ! -s "${archive}" ]]; then
        step "downloading ${archive##*/}"
        curl -fsSL --retry 3 -o "${archive}.partial" "${url}"
        curl -fsSL --retry 3 -o "${archive}.sha1" "${url}.sha1"
        echo "$(cat "${archive}.sha1")  ${archive}.partial" | sha1sum --check --quiet \
            || die "${url}: the SHA-1 does not match the published one"
        mv "${archive}.partial" "${archive}"
    fi
    echo "${archive}"
}

build_keycloak() {
    local archive root
    archive=$(keycloak_archive)
    # Pre-built for PostgreSQL with health checks, as the stack runs it, so `start` skips the build.
    root=$(rootfs keycloak openjdk-17-jre-headless,bash,procps \
        --customize-hook="mkdir -p \"\$1/opt/keycloak\" && tar -C \"\$1/opt/keycloak\" --strip-components=1 -xzf ${archive}" \
        --customize-hook='ln -sf bash "$1/bin/sh"' \
        --customize-hook='chroot "$1" useradd --uid 1000 --gid 0 --home-dir /opt/keycloak keycloak' \
        --customize-hook='chroot "$1" /opt/keycloak/bin/kc.sh build --db=postgres --health-enabled=true >/dev/null' \
        --customize-hook='chroot "$1" chown -R 1000:0 /opt/keycloak' \
        --customize-hook='chmod -R g+rwX "$1/opt/keycloak"')
    import_root "${root}" "${TAGS[keycloak]}" \
        --change 'ENV LANG=C.UTF-8' --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
        --change 'USER 1000' --change 'WORKDIR /opt/keycloak' --change 'EXPOSE 8080 9000' \
        --change 'ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]'
}

# go_binary MODULE VERSION NAME: the module's command, built once into the cache; prints its path.
go_binary() {
    local module="$1" version="$2" name="$3"
    local gobin="${INFRA_CACHE}/go-bin/${name}-${version}"
    if [[ ! -x "${gobin}/${name}" ]]; then
        step "building ${module}@${version} (minutes the first time)"
        mkdir -p "${gobin}"
        GOBIN="${gobin}" CGO_ENABLED=0 "${NICE[@]}" go install -trimpath -ldflags "-s -w" "${module}@${version}" >&2
    fi
    echo "${gobin}/${name}"
}

build_minio() {
    local minio mc root
    command -v go >/dev/null || die "the Go toolchain is needed to build minio and mc"
    minio=$(go_binary github.com/minio/minio "${MINIO_MODULE_VERSION}" minio)
    mc=$(go_binary github.com/minio/mc "${MC_MODULE_VERSION}" mc)
    root=$(rootfs minio bash \
        --customize-hook="copy-in ${minio} /usr/bin/" --customize-hook="copy-in ${mc} /usr/bin/")
    import_root "${root}" "${TAGS[minio]}" --change 'EXPOSE 9000 9001' --change 'VOLUME /data' \
        --change 'ENTRYPOINT ["minio"]'
}

# ensure NAME: in the daemon, from the cached tarball or freshly built (and then cached).
ensure() {
    local name="$1" tag="${TAGS[$1]}"
    local tarball="${IMAGES_DIR}/${name}-r${REVISION}-${tag//[:\/]/_}.docker.tar"
    local started
    started=$(now)
    if "${DOCKER}" image inspect "${tag}" >/dev/null 2>&1 && [[ -s "${tarball}" ]]; then
        step "${tag}: already loaded"
    elif [[ -s "${tarball}" ]]; then
        step "${tag}: loading ${tarball##*/}"
        "${DOCKER}" load --quiet --input "${tarball}" >/dev/null
    else
        step "${tag}: building (cold)"
        "build_${name}"
        "${DOCKER}" save --output "${tarball}.partial" "${tag}" && mv "${tarball}.partial" "${tarball}"
        step "${tag}: built in $(($(now) - started)) s, $(du -h "${tarball}" | cut -f1) saved"
    fi
    echo "${tag}"
}

apt_install mmdebstrap curl ca-certificates
"${DOCKER}" info >/dev/null 2>&1 || die "no Docker daemon answers; run tests/infra/docker.sh first"
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(python postgres keycloak minio)
for name in "${names[@]}"; do
    [[ -n "${TAGS[$name]:-}" ]] || die "unknown stand-in ${name}; choose from: ${!TAGS[*]}"
    ensure "${name}"
done
