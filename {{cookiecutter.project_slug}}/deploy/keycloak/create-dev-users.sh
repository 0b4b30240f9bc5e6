#!/usr/bin/env bash
# Development convenience: one user per role in the realm, all with DEV_USER_PASSWORD.
# Never run against a production realm; realm.json itself ships no users and no passwords.
# Idempotent: existing users keep their settings and get the current password.
set -euo pipefail

if [[ -z "${DEV_USER_PASSWORD:-}" ]]; then
    echo "error: DEV_USER_PASSWORD is empty; set it in .env (make env writes one) and retry" >&2
    exit 1
fi

kcadm=/opt/keycloak/bin/kcadm.sh
"${kcadm}" config credentials --server "${KEYCLOAK_URL}" --realm master \
    --user "${KEYCLOAK_ADMIN_USER}" --password "${KEYCLOAK_ADMIN_PASSWORD}"

for role in viewer predictor admin; do
    username="dev-${role}"
    if [[ -z "$("${kcadm}" get users -r "${REALM}" -q "username=${username}" -q exact=true --fields id --format csv --noquotes)" ]]; then
        "${kcadm}" create users -r "${REALM}" -s "username=${username}" -s enabled=true \
            -s "email=${username}@example.com" -s emailVerified=true -s "firstName=Dev" -s "lastName=${role}"
    fi
    "${kcadm}" set-password -r "${REALM}" --username "${username}" --new-password "${DEV_USER_PASSWORD}"
    "${kcadm}" add-roles -r "${REALM}" --uusername "${username}" --rolename "${role}"
    echo "user ${username} has role ${role}"
done
