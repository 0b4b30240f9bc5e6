#!/usr/bin/env bash
# Install checkov, pinned with its whole dependency tree by scripts/checkov-requirements.txt, into
# its own venv in a per-user cache, so the template's tests can scan the generated chart, Dockerfile
# and CI workflows. Idempotent: a venv of the pinned version already in the cache is reused.
# Prints the checkov executable's path last.
#
# Usage: scripts/install_checkov.sh          (PYTHON, CHECKOV_VENV override the defaults)
set -euo pipefail

requirements="$(cd "$(dirname "$0")" && pwd)/checkov-requirements.txt"
CHECKOV_VERSION="$(sed -n 's/^checkov==\([^ ]*\).*/\1/p' "${requirements}")"
PYTHON="${PYTHON:-python3}"
CHECKOV_VENV="${CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cookiecutter-ai-solution/checkov-${CHECKOV_VERSION}}"
checkov_bin="${CHECKOV_VENV}/bin/checkov"

if [[ -x "${checkov_bin}" ]] && [[ "$("${checkov_bin}" --version 2>/dev/null)" == "${CHECKOV_VERSION}" ]]; then
    echo "checkov ${CHECKOV_VERSION} already installed" >&2
    echo "${checkov_bin}"
    exit 0
fi

echo "installing checkov ${CHECKOV_VERSION} into ${CHECKOV_VENV}..." >&2
rm -rf "${CHECKOV_VENV}"
"${PYTHON}" -m venv "${CHECKOV_VENV}"
pip=("${CHECKOV_VENV}/bin/pip" install --quiet --disable-pip-version-check --no-deps)
# The hashes are of the files pip picks for the lock's platform; elsewhere only the versions hold.
if [[ "$("${CHECKOV_VENV}/bin/python" -c 'import sys, sysconfig; print(sys.version_info[:2] == (3, 11) and sysconfig.get_platform() == "linux-x86_64")')" == True ]]; then
    "${pip[@]}" --require-hashes -r "${requirements}"
else
    echo "note: not CPython 3.11 on Linux x86_64: installing the pinned versions without hash checks" >&2
    "${pip[@]}" -r <(sed -e 's/ *\\$//' -e '/--hash=/d' "${requirements}")
fi
"${checkov_bin}" --version >&2
echo "${checkov_bin}"
