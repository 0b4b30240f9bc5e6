#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first initialised: one database per service,
# owned by the application user (the app's own database is POSTGRES_DB).
set -euo pipefail

for database in mlflow{% if cookiecutter.auth_provider == "keycloak" %} keycloak{% endif %}; do
    echo "creating database ${database}"
    psql --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB}" --set ON_ERROR_STOP=1 \
        --command "CREATE DATABASE \"${database}\" OWNER \"${POSTGRES_USER}\""
done
