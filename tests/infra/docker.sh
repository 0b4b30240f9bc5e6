#!/usr/bin/env bash
# Docker engine for the stack tests: Debian's docker.io (20.10) daemon started as root in the
# background, and Compose v2 built from its Go module into ~/.docker/cli-plugins. Idempotent:
# a running daemon and a built plugin of the pinned version are reused (a few seconds).
#
# Usage: tests/infra/docker.sh        (COMPOSE_VERSION overrides the pinned Compose)
source "$(dirname "$0")/lib.sh"

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.32.4}"
COMPOSE_PLUGIN="${HOME}/.docker/cli-plugins/docker-compose"
DOCKERD_LOG="${INFRA_CACHE}/dockerd.log"
SOCKET=/var/run/docker.sock

started=$(now)
apt_install docker.io containerd runc iptables ca-certificates
[[ -x "${DOCKER}" ]] || die "${DOCKER} is missing after installing docker.io"

if "${DOCKER}" info >/dev/null 2>&1; then
    step "dockerd already running"
else
    step "starting dockerd (log: ${DOCKERD_LOG})"
    # No init system here: the daemon runs detached, in its own session, as root.
    setsid nohup /usr/sbin/dockerd >>"${DOCKERD_LOG}" 2>&1 </dev/null &
    for _ in $(seq 120); do
        [[ -S "${SOCKET}" ]] && "${DOCKER}" info >/dev/null 2>&1 && break
        sleep 0.5
    done
    "${DOCKER}" info >/dev/null 2>&1 || die "dockerd did not answer on ${SOCKET} within 60 s; see ${DOCKERD_LOG}"
    step "dockerd ready: $("${DOCKER}" info --format '{{.ServerVersion}} {{.Driver}}')"
fi

if [[ -x "${COMPOSE_PLUGIN}" ]] && "${COMPOSE_PLUGIN}" version --short 2>/dev/null | grep -qx "${COMPOSE_VERSION#v}"; then
    step "compose ${COMPOSE_VERSION} already built"
else
    command -v go >/dev/null || die "the Go toolchain is needed to build Compose ${COMPOSE_VERSION}"
    step "building compose ${COMPOSE_VERSION} from its Go module (a few minutes the first time)"
    gobin="${INFRA_CACHE}/compose-${COMPOSE_VERSION}"
    mkdir -p "${gobin}" "$(dirname "${COMPOSE_PLUGIN}")"
    GOBIN="${gobin}" CGO_ENABLED=0 "${NICE[@]}" go install -trimpath \
        -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}" \
        "github.com/docker/compose/v2/cmd@${COMPOSE_VERSION}"
    install -m 0755 "${gobin}/cmd" "${COMPOSE_PLUGIN}"
fi
step "docker $("${DOCKER}" version --format '{{.Client.Version}}') with $("${DOCKER}" compose version --short) ready in $(($(now) - started)) s"
