#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that `make test` uses are answering on 127.0.0.1.
# Starts the Debian services where they are installed; otherwise says what is missing.
set -u

answers() {  # host port
  python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

wait_for() {  # name host port
  for _ in $(seq 1 30); do answers "$2" "$3" && return 0; sleep 1; done
  echo "ensure-services: $1 did not start answering on $2:$3." >&2
  return 1
}

if ! answers 127.0.0.1 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    wait_for PostgreSQL 127.0.0.1 5432 || exit 1
  else
    echo "ensure-services: PostgreSQL is not answering on 127.0.0.1:5432 and is not installed;" \
         "install it (apt-get install postgresql) or set DATABASE_URL to a running server." >&2
    exit 1
  fi
fi

if ! answers 127.0.0.1 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "ensure-services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis 127.0.0.1 6379 || exit 1
  else
    echo "ensure-services: Redis is not answering on 127.0.0.1:6379 and is not installed;" \
         "install it (apt-get install redis-server) or set CELERY_BROKER_URL to a running server." >&2
    exit 1
  fi
fi
