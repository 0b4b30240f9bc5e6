#!/usr/bin/env bash
# The chart, installed and checked on the cluster of the current kubectl context, as the CI
# does on kind: deploy/kind's stand-ins for your services (PostgreSQL{% if cookiecutter.object_storage == "minio" %}, MinIO{% endif %}{% if cookiecutter.auth_provider == "keycloak" %}, Keycloak{% endif %}) in namespace
# ci-dependencies, the release in namespace {{ cookiecutter.project_slug }} under PodSecurity `restricted`. Secrets
# come from .env (`python3 scripts/write_env.py` writes one); the images must already be in
# the cluster (`kind load docker-image`).
#   scripts/chart_ci.sh install TAG [HELM_ARGS...]   services, then `helm upgrade --install --wait`
#   scripts/chart_ci.sh pipeline                     one run of the pipeline CronJob, waited for
#   scripts/chart_ci.sh smoke TAG                    {% if cookiecutter.auth_provider == "keycloak" %}the `smoke` command in a pod: predictions with a machine token{% else %}a prediction without a token gets 401{% endif %}
#   scripts/chart_ci.sh uninstall                    `helm uninstall --wait`, then the services and namespaces
set -euo pipefail
cd "$(dirname "$0")/.."

SLUG={{ cookiecutter.project_slug }}
DEPS=ci-dependencies
# Run inside an API pod: exit 0 once /health/ready reports no model missing.
SERVES_EVERY_MODEL='import sys, urllib.request
report = urllib.request.urlopen("http://127.0.0.1:8000/health/ready", timeout=5).read()
sys.exit(b"\"degraded\":false" not in report)'
usage() { sed -n 's/^#   //p' "$0" >&2; exit 2; }
die() { echo "error: $*" >&2; exit 1; }
step() { echo "[chart-ci $(date -u +%H:%M:%S)] $*"; }

# `kubectl create ... --dry-run=client -o yaml | kubectl apply` makes each step re-runnable.
apply_created() { "$@" --dry-run=client --output=yaml | kubectl apply --filename=- >/dev/null; }

# A Secret from KEY=VALUE lines on stdin, through a private file: never on a command line.
secret_from_stdin() {
    local namespace=$1 name=$2 file
    file=$(mktemp) && chmod 600 "${file}"
    cat >"${file}"
    apply_created kubectl --namespace="${namespace}" create secret generic "${name}" --from-env-file="${file}"
    rm -f "${file}"
}

load_env() {
    [[ -f .env ]] || die "no .env here; write one first: python3 scripts/write_env.py"
    set -a && source .env && set +a
}

install() {
    local tag=${1:?the image tag to install, e.g. ci}
    shift
    load_env
    step "services in namespace ${DEPS}"
    apply_created kubectl create namespace "${DEPS}"
    secret_from_stdin "${DEPS}" ci-dependencies <<SECRETS
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
{%- if cookiecutter.object_storage == "minio" %}
OBJECT_STORAGE_SECRET_KEY=${OBJECT_STORAGE_SECRET_KEY}
{%- endif %}
{%- if cookiecutter.auth_provider == "keycloak" %}
IDENTITY_ADMIN_PASSWORD=${IDENTITY_ADMIN_PASSWORD}
OIDC_CLIENT_SECRET=${OIDC_CLIENT_SECRET}
OIDC_MACHINE_CLIENT_SECRET=${OIDC_MACHINE_CLIENT_SECRET}
{%- endif %}
SECRETS
    apply_created kubectl --namespace="${DEPS}" create configmap postgres-init \
        --from-file=deploy/postgres/init-databases.sh
{%- if cookiecutter.auth_provider == "keycloak" %}
    apply_created kubectl --namespace="${DEPS}" create configmap keycloak-realm \
        --from-file=deploy/keycloak/realm.json
{%- endif %}
    kubectl --namespace="${DEPS}" apply --filename=deploy/kind/postgres.yaml{% if cookiecutter.object_storage == "minio" %} --filename=deploy/kind/minio.yaml{% endif %}{% if cookiecutter.auth_provider == "keycloak" %} --filename=deploy/kind/keycloak.yaml{% endif %}
    kubectl --namespace="${DEPS}" wait deployment --all --for=condition=Available --timeout=300s
{%- if cookiecutter.object_storage == "minio" %}
    kubectl --namespace="${DEPS}" wait job/minio-bucket --for=condition=Complete --timeout=300s
{%- endif %}

    step "release ${SLUG} in namespace ${SLUG} (PodSecurity restricted)"
    apply_created kubectl create namespace "${SLUG}"
    kubectl label namespace "${SLUG}" --overwrite \
        pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/warn=restricted >/dev/null
    local postgres="postgresql+psycopg://{{ cookiecutter.package_name }}:${POSTGRES_PASSWORD}@postgres.${DEPS}:5432"
    secret_from_stdin "${SLUG}" "${SLUG}-secrets" <<SECRETS
DATABASE_URL=${postgres}/{{ cookiecutter.package_name }}
MLFLOW_BACKEND_STORE_URI=${postgres}/mlflow
OIDC_CLIENT_SECRET=${OIDC_CLIENT_SECRET}
OIDC_MACHINE_CLIENT_SECRET=${OIDC_MACHINE_CLIENT_SECRET}
SESSION_SECRET=${SESSION_SECRET}
{%- if cookiecutter.object_storage == "minio" %}
AWS_SECRET_ACCESS_KEY=${OBJECT_STORAGE_SECRET_KEY}
{%- endif %}
SECRETS
    local started=${SECONDS}
    helm upgrade --install "${SLUG}" "charts/${SLUG}" --namespace="${SLUG}" \
        --values=deploy/kind/values.yaml --set-string=image.tag="${tag}" \
{%- if cookiecutter.auth_provider == "external-oidc" %}
        --set-string=config.oidcIssuerUrl="${OIDC_ISSUER_URL}" \
{%- endif %}
        --wait --timeout=10m "$@"
    step "helm upgrade --install --wait: $((SECONDS - started)) s"
}

pipeline() {
    local job="pipeline-$(date -u +%Y%m%d%H%M%S)" started=${SECONDS}
    kubectl --namespace="${SLUG}" create job "${job}" --from="cronjob/${SLUG}-pipeline"
    kubectl --namespace="${SLUG}" wait "job/${job}" --for=condition=Complete --timeout=15m
    step "pipeline job ${job}: $((SECONDS - started)) s"
    # Each API pod polls the registry: wait until every one serves the new champions.
    local pods pod attempt
    pods=$(kubectl --namespace="${SLUG}" get pods --output=name \
        --selector="app.kubernetes.io/instance=${SLUG},app.kubernetes.io/component=api")
    for pod in ${pods}; do
        for attempt in $(seq 1 60); do
            kubectl --namespace="${SLUG}" exec "${pod}" -- python -c "${SERVES_EVERY_MODEL}" 2>/dev/null && break
            [[ ${attempt} == 60 ]] && die "${pod} still has a model without its champion after 2 min"
            sleep 2
        done
    done
    step "every API pod serves the champions"
}

smoke() {
    local tag=${1:?the image tag of the API image, e.g. ci}
{%- if cookiecutter.auth_provider == "keycloak" %}
    kubectl --namespace="${SLUG}" delete job smoke --ignore-not-found >/dev/null
    sed "s|\${API_IMAGE}|${SLUG}-api:${tag}|" deploy/kind/smoke-job.yaml | kubectl --namespace="${SLUG}" apply --filename=-
    if ! kubectl --namespace="${SLUG}" wait job/smoke --for=condition=Complete --timeout=5m; then
        kubectl --namespace="${SLUG}" logs job/smoke || true
        die "the smoke job failed"
    fi
    kubectl --namespace="${SLUG}" logs job/smoke
    kubectl --namespace="${SLUG}" delete job smoke >/dev/null
{%- else %}
    # No identity provider runs in CI (docs/external-oidc.md): the API must refuse a request without a token.
    kubectl --namespace="${SLUG}" port-forward "service/${SLUG}-api" 18000:8000 >/dev/null &
    local forward=$!
    trap 'kill "${forward}" 2>/dev/null || true' RETURN
    local status=000
    for _ in $(seq 1 30); do
        status=$(curl --silent --output /dev/null --write-out '%{http_code}' http://127.0.0.1:18000/v1/models || true)
        [[ "${status}" != 000 ]] && break
        sleep 1
    done
    [[ "${status}" == 401 ]] || die "GET /v1/models without a token answered ${status}, not 401"
    step "no token gets 401"
{%- endif %}
}

uninstall() {
    helm uninstall "${SLUG}" --namespace="${SLUG}" --wait --timeout=5m --ignore-not-found
    # What `install` made besides the release: the services, the Secret, both namespaces.
    kubectl delete namespace "${DEPS}" "${SLUG}" --ignore-not-found --wait=true
}

case "${1:-}" in
    install | smoke) command=$1 && shift && "${command}" "$@" ;;
    pipeline | uninstall) "$1" ;;
    *) usage ;;
esac
