#!/bin/bash
# The official postgres image's contract, on Debian's postgresql-15: POSTGRES_USER,
# POSTGRES_PASSWORD (required), POSTGRES_DB, and /docker-entrypoint-initdb.d run on first start.
set -euo pipefail

if [[ "${1:-}" != postgres ]]; then
    exec "$@"
fi
if [[ "$(id -u)" == 0 ]]; then
    mkdir -p "${PGDATA}" /var/run/postgresql
    chown -R postgres:postgres "${PGDATA}" /var/run/postgresql
    chmod 700 "${PGDATA}"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-${POSTGRES_USER}}"
if [[ ! -s "${PGDATA}/PG_VERSION" ]]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
    initdb --username="${POSTGRES_USER}" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD}") \
        --auth-local=trust --auth-host=scram-sha-256 -D "${PGDATA}" >/dev/null
    echo "host all all all scram-sha-256" >>"${PGDATA}/pg_hba.conf"
    # Initialisation listens on the socket only, as the official image does.
    pg_ctl -D "${PGDATA}" -o "-c listen_addresses=''" -w start >/dev/null
    if [[ "${POSTGRES_DB}" != postgres ]]; then
        psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
            --command "CREATE DATABASE \"${POSTGRES_DB}\""
    fi
    for script in /docker-entrypoint-initdb.d/*; do
        case "${script}" in
            *.sh) echo "running ${script}"; bash "${script}" ;;
            *.sql) echo "running ${script}"; psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB}" -f "${script}" ;;
            *) [[ -e "${script}" ]] && echo "ignoring ${script}" ;;
        esac
    done
    pg_ctl -D "${PGDATA}" -m fast -w stop >/dev/null
fi
shift
exec postgres -D "${PGDATA}" -c listen_addresses='*' "$@"
