#!/usr/bin/env bash
# Times import_ssda903 of a national-scale history on PostgreSQL.
# Builds `seed_demo --children N --years 10` in one database, exports its whole history, and
# imports that into a fresh database. Usage: bench/import_ssda903.sh [N]   (default 80000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
export DJANGO_SETTINGS_MODULE=iro_service.settings.local
psql_() { psql -h 127.0.0.1 -U postgres -q "$@"; }
for db in iro_bench_source iro_bench_import; do
  psql_ -c "DROP DATABASE IF EXISTS ${db}" postgres 2>/dev/null
  psql_ -c "CREATE DATABASE ${db}" postgres
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db}" .venv/bin/python manage.py migrate --noinput -v 0
done
DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench_source .venv/bin/python manage.py seed_demo --children "$N" --years 10
folder=$(mktemp -d)
DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench_source .venv/bin/python manage.py export_ssda903 --all "$folder"
wc -l "$folder"/*.csv
start=$(date +%s%N)
DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench_import .venv/bin/python manage.py import_ssda903 "$folder"
end=$(date +%s%N)
echo "import_ssda903 of ${N} children on PostgreSQL: $(( (end - start) / 1000000 )) ms"
rm -rf "$folder"
