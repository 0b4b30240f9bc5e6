#!/usr/bin/env bash
# Shared by the infra scripts: the cache folder, progress lines, and the Docker client to use.
# Sourced, never run. Everything downloaded or built lives under INFRA_CACHE, per user.
set -euo pipefail
# Command substitutions (root=$(rootfs ...)) stop on a failure too, not only the main shell.
shopt -s inherit_errexit

INFRA_CACHE="${INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cookiecutter-ai-solution/infra}"
mkdir -p "${INFRA_CACHE}"
# Debian's docker.io client (20.10): the `docker` first on PATH may be a newer client without
# buildx that refuses BuildKit, so every script names this one explicitly.
DOCKER="${DOCKER:-/usr/bin/docker}"
export DOCKER_BUILDKIT=1
# Long builds yield to everything else on a shared machine.
NICE=(nice -n 19)

step() { printf '[infra %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root_apt() {
    [[ "$(id -u)" == 0 ]] || die "root is needed (apt-get install, dockerd); run as root or skip the infra steps"
    command -v apt-get >/dev/null || die "apt-get is needed to install Debian's packages"
}

# Installs the Debian packages not yet installed (one apt-get update per run at most).
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("${package}")
    done
    [[ ${#missing[@]} == 0 ]] && return 0
    require_root_apt
    step "apt-get install ${missing[*]}"
    # One apt at a time: the test workers run infra scripts side by side, and apt-get fails at
    # once on a held lock (the flock), or waits for one held by anything else (the timeout).
    (
        flock 9
        [[ -n "${_INFRA_APT_UPDATED:-}" ]] || apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    ) 9>"${INFRA_CACHE}/apt.lock"
    _INFRA_APT_UPDATED=1
}

# Seconds since the epoch, to print how long each step took.
now() { date +%s; }
