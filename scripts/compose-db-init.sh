#!/bin/sh
# The runtime login of Korps under docker compose (docs/deployment.md, "Database roles").
#
# The postgres image runs this once, when it initialises an empty volume
# (/docker-entrypoint-initdb.d). On a volume made before Korps logged in as korps_app,
# run it once by hand:
#
#   docker compose exec db sh /docker-entrypoint-initdb.d/10-korps-app.sh
#
# It creates korps_app if the migrations have not yet, and lets it log in with
# KORPS_APP_DB_PASSWORD: no superuser, no BYPASSRLS, and it owns nothing (the migrations
# run as POSTGRES_USER, which owns the tables).
set -e
if [ -z "${KORPS_APP_DB_PASSWORD:-}" ]; then
    echo "KORPS_APP_DB_PASSWORD is not set" >&2
    exit 1
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_password="$KORPS_APP_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE korps_app' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'korps_app') \gexec
ALTER ROLE korps_app WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
SQL
