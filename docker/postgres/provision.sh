#!/usr/bin/env bash
# Runs the provisioning scripts of src/main/resources/db/provisioning (mounted at /provisioning) with psql, as the
# database owner, the way DevServices' DatabaseRoles runs them in the local stack:
#   roles         1-roles.sql, from the postgres image's first start (initdb-roles.sh)
#   publications  2-publications.sql and 3-warehouse-sources.sql, once the mocks have created the systems' tables
# The scripts' ${...} placeholders become psql variables: the passwords reach the server as quoted literals
# (psql's :'var'), never through sed or the command line.
set -euo pipefail
step=${1:?roles or publications}
dir=${PROVISIONING_DIR:-/provisioning}

psql_script() {
  # ${database} -> :"database", '${xPassword}' -> :'xPassword'
  sed -e 's/\${database}/:"database"/g' -e "s/'\\\${\\([A-Za-z]*Password\\)}'/:'\\1'/g" "$dir/$1"
}

case "$step" in
  roles)
    psql_script 1-roles.sql | psql -v ON_ERROR_STOP=1 -X -q \
      -v database="${POSTGRES_DB:-insurance}" \
      -v hubPassword="${HUB_POSTGRES_PASSWORD:?}" -v relayPassword="${HUB_OUTBOX_PASSWORD:?}" \
      -v mocksPassword="${MOCKS_POSTGRES_PASSWORD:?}" -v warehousePassword="${HUB_WAREHOUSE_PASSWORD:?}" \
      -v warehouseReaderPassword="${HUB_WAREHOUSE_SOURCE_PASSWORD:?}" \
      --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-insurance}"
    ;;
  publications)
    # Run again at every 'up': what exists already (a publication, a grant) fails on its own and the rest goes on,
    # as DatabaseRoles skips duplicates; the check below decides
    for script in 2-publications.sql 3-warehouse-sources.sql; do
      psql_script "$script" | psql -X -q -v database="${PGDATABASE:-insurance}" || true
    done
    missing=$(psql -X -q -t -A -c "SELECT string_agg(p, ',') FROM unnest(ARRAY['hub_pas_outbox','hub_billing_outbox',
        'hub_claims_outbox','hub_quote_engine_outbox','hub_business_changes']) p
        WHERE NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = p)")
    reader=$(psql -X -q -t -A -c "SELECT has_table_privilege('insurance_warehouse_reader', 'billing.payments', 'SELECT')")
    if [ -n "$missing" ] || [ "$reader" != "t" ]; then
      echo "Provisioning incomplete: missing publications [$missing], warehouse reader grants: $reader" >&2
      exit 1
    fi
    echo "Publications and warehouse source grants in place"
    ;;
  *) echo "unknown step $step (roles | publications)" >&2; exit 2 ;;
esac
