#!/usr/bin/env bash
# Boots a generated default project's Compose stack on the stand-ins and prints the figures:
# image build time and sizes, `up --wait` time, the pipeline job's time; then `down -v`.
# Needs docker.sh and images.sh done. Traffic from the host goes to 127.0.0.1 only.
#
# Usage: tests/infra/prove_stack.sh [PROJECT_DIR]   (default: a fresh bake in /tmp)
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
TEMPLATE="$(cd "${HERE}/../.." && pwd)"

project="${1:-}"
if [[ -z "${project}" ]]; then
    out="$(mktemp -d)"
    step "generating a default project into ${out}"
    "${TEMPLATE}/.venv/bin/cookiecutter" --no-input "${TEMPLATE}" -o "${out}" >/dev/null
    project="$(echo "${out}"/*)"
fi
cd "${project}"
[[ -f .env ]] || python3 scripts/write_env.py >/dev/null
slug="$(basename "${project}")"
compose=("${DOCKER}" compose -f compose.yaml -f "${HERE}/compose.ci.yaml")
# The stack's two images (compose.yaml's API_IMAGE and APP_IMAGE), under tags of this run.
export API_IMAGE="${slug}-api:ci" APP_IMAGE="${slug}:ci"

started=$(now)
step "building ${API_IMAGE} and ${APP_IMAGE} (docker compose build)"
"${NICE[@]}" "${compose[@]}" build --quiet
for image in "${API_IMAGE}" "${APP_IMAGE}"; do
    step "${image}: $("${DOCKER}" image inspect --format '{{.Size}}' "${image}" | numfmt --to=si) B"
done
step "images built in $(($(now) - started)) s"

cleanup() {
    local status=$?
    if [[ ${status} != 0 ]]; then
        "${compose[@]}" logs --no-color >"${INFRA_CACHE}/stack-${slug}.log" 2>&1 || true
        step "failed; the services' logs are in ${INFRA_CACHE}/stack-${slug}.log"
    fi
    # Every profile: a plain `down -v` keeps the volume of the pipeline job (profile pipeline).
    "${compose[@]}" --profile '*' down -v --remove-orphans >/dev/null 2>&1 || true
    local kind left=""
    for kind in "ps -a" "volume ls" "network ls"; do
        # shellcheck disable=SC2086  # the kind is two words on purpose
        left+=$("${DOCKER}" ${kind} -q --filter "label=com.docker.compose.project=${slug}")
    done
    [[ -z "${left}" ]] && step "down -v left no container, volume or network" || step "left behind: ${left}"
}
trap cleanup EXIT

started=$(now)
step "docker compose up --detach --wait"
"${compose[@]}" up --detach --wait --no-build
step "stack healthy in $(($(now) - started)) s"

started=$(now)
step "docker compose run --rm pipeline"
"${compose[@]}" run --rm pipeline
step "pipeline job done in $(($(now) - started)) s"
