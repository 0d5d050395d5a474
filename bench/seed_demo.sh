#!/usr/bin/env bash
# Times `seed_demo --children N` on a fresh PostgreSQL database (default N=80000).
# Usage: bench/seed_demo.sh [N [YEARS]]    Leaves the database (iro_bench, or $BENCH_DATABASE) for
# the other benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
YEARS=${2:-3}
DB=${BENCH_DATABASE:-iro_bench}
export DJANGO_SETTINGS_MODULE=iro_service.settings.local
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${DB}" postgres 2>/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${DB}" postgres
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_postcodes
start=$(date +%s%N)
.venv/bin/python manage.py seed_demo --children "$N" --years "$YEARS"
end=$(date +%s%N)
psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$DB"
echo "seed_demo --children ${N} --years ${YEARS} on PostgreSQL: $(( (end - start) / 1000000 )) ms in all (including start-up)"
