#!/usr/bin/env bash
# Development convenience: one user per role in the realm, all with DEV_USER_PASSWORD.
# Never run against a production realm; realm.json itself ships no users and no passwords.
# Idempotent: existing users keep their settings and get the current password.
set -euo pipefail

# Works against the Compose container (keycloak-dev-users service) and a locally run Keycloak:
#     KCADM=~/keycloak-26.4.7/bin/kcadm.sh deploy/keycloak/create-dev-users.sh
# Unset values come from the environment, then the project's .env.
project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

from_env_file() {
    # The value of $1 in the project's .env, if any (the file is never sourced: it is data).
    [[ -f "${project_dir}/.env" ]] || return 0
    sed -n "s/^${1}=//p" "${project_dir}/.env" | tail -n 1
}

DEV_USER_PASSWORD="${DEV_USER_PASSWORD:-$(from_env_file DEV_USER_PASSWORD)}"
KEYCLOAK_ADMIN_PASSWORD="${KEYCLOAK_ADMIN_PASSWORD:-$(from_env_file IDENTITY_ADMIN_PASSWORD)}"
KEYCLOAK_URL="${KEYCLOAK_URL:-http://localhost:8080}"
KEYCLOAK_ADMIN_USER="${KEYCLOAK_ADMIN_USER:-admin}"
REALM="${REALM:-{{ cookiecutter.project_slug }}}"

for name in DEV_USER_PASSWORD KEYCLOAK_ADMIN_PASSWORD; do
    if [[ -z "${!name}" || "${!name}" == change-me ]]; then
        echo "error: ${name} is empty or change-me; set it (or its .env entry; make env writes one) and retry" >&2
        exit 1
    fi
done

# kcadm.sh: $KCADM, else the container's, else $KEYCLOAK_HOME's, else the one on PATH.
kcadm_bin="${KCADM:-}"
if [[ -z "${kcadm_bin}" ]]; then
    for candidate in /opt/keycloak/bin/kcadm.sh "${KEYCLOAK_HOME:-/nonexistent}/bin/kcadm.sh" "$(command -v kcadm.sh || true)"; do
        if [[ -n "${candidate}" && -x "${candidate}" ]]; then
            kcadm_bin="${candidate}"
            break
        fi
    done
fi
if [[ -z "${kcadm_bin}" || ! -x "${kcadm_bin}" ]]; then
    echo "error: kcadm.sh not found; set KCADM to the bin/kcadm.sh of a Keycloak distribution" >&2
    exit 1
fi

# The admin session lives in a file of this run only, never in ~/.keycloak.
config="$(mktemp)"
trap 'rm -f "${config}"' EXIT
kcadm() { "${kcadm_bin}" "$@" --config "${config}"; }

kcadm config credentials --server "${KEYCLOAK_URL}" --realm master \
    --user "${KEYCLOAK_ADMIN_USER}" --password "${KEYCLOAK_ADMIN_PASSWORD}"

for role in viewer predictor admin; do
    username="dev-${role}"
    if [[ -z "$(kcadm get users -r "${REALM}" -q "username=${username}" -q exact=true --fields id --format csv --noquotes)" ]]; then
        kcadm create users -r "${REALM}" -s "username=${username}" -s enabled=true \
            -s "email=${username}@example.com" -s emailVerified=true -s "firstName=Dev" -s "lastName=${role}"
    fi
    kcadm set-password -r "${REALM}" --username "${username}" --new-password "${DEV_USER_PASSWORD}"
    kcadm add-roles -r "${REALM}" --uusername "${username}" --rolename "${role}"
    echo "user ${username} has role ${role}"
done
