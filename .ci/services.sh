#!/usr/bin/env bash
# The servers the integration tests use, on this machine: PostgreSQL on 127.0.0.1:5432
# (user postgres, no password) and Redis on 127.0.0.1:6379. Returns at once when both
# answer; otherwise installs the Debian packages that are missing, starts what is
# stopped, and waits for both. Run it as often as you like. Exits non-zero, saying why,
# when it cannot.
#
# SERVICES_PG_PORT, SERVICES_PG_CLUSTER and SERVICES_REDIS_PORT pick other servers
# (a second cluster, say); the defaults are the ones `make test` points the tests at.
set -euo pipefail

PG_PORT=${SERVICES_PG_PORT:-5432}
PG_CLUSTER=${SERVICES_PG_CLUSTER:-main}
REDIS_PORT=${SERVICES_REDIS_PORT:-6379}
WAIT=30  # seconds a server may take to answer after it was started

die() { echo "services.sh: $*" >&2; exit 1; }
note() { echo "services.sh: $*"; }

pg_up() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 3 2>/dev/null; }
pg_answers() {
  psql "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres connect_timeout=3" \
    -XAtqc "SELECT 1" >/dev/null 2>&1
}
redis_reply() {  # the first line Redis answers to PING, or nothing (no client needed)
  ( exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 \
      && IFS= read -r -t 3 line <&3 && printf '%s' "${line%$'\r'}" ) 2>/dev/null || true
}
redis_answers() { [ "$(redis_reply)" = "+PONG" ]; }
port_open() { ( exec 3<>"/dev/tcp/127.0.0.1/$1" ) 2>/dev/null; }
wait_for() {  # wait_for <check>: poll five times a second, for WAIT seconds
  local i
  for ((i = 0; i < WAIT * 5; i++)); do "$1" && return 0; sleep 0.2; done
  return 1
}

# The fast path: both already answer (the usual case; a few milliseconds).
if command -v pg_isready >/dev/null && command -v psql >/dev/null && pg_answers \
    && redis_answers; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "PostgreSQL or Redis is not running, and starting them needs root or sudo"
  SUDO="sudo"
fi

# ---------------------------------------------------------------- packages
need=()
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  need+=(postgresql)
fi
command -v psql >/dev/null && command -v pg_isready >/dev/null || need+=(postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
installed_postgresql=no
if [ ${#need[@]} -gt 0 ]; then
  note "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q || die "apt-get update failed"
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" \
    || die "could not install ${need[*]}"
  [[ " ${need[*]} " == *" postgresql "* ]] && installed_postgresql=yes
fi

# ---------------------------------------------------------------- PostgreSQL
if ! pg_answers; then
  # The cluster of that name (Debian's pg_lsclusters: version cluster port status ...).
  read -r version port status < <(pg_lsclusters -h \
    | awk -v c="$PG_CLUSTER" '$2 == c { print $1, $3, $4 }' | sort -V | tail -n 1) || true
  fresh_cluster=$installed_postgresql
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    note "creating PostgreSQL $version cluster $PG_CLUSTER on port $PG_PORT"
    $SUDO pg_createcluster "$version" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null \
      || die "pg_createcluster $version $PG_CLUSTER failed"
    port=$PG_PORT status=down fresh_cluster=yes
  fi
  [ "$port" = "$PG_PORT" ] \
    || die "PostgreSQL cluster $version/$PG_CLUSTER listens on port $port, not $PG_PORT"
  if [ "$fresh_cluster" = yes ]; then
    # A cluster made just now, for the tests: let local TCP connections in without a
    # password, as the tests' URL (postgresql+psycopg://postgres@127.0.0.1:5432/) expects.
    # An existing cluster's authentication is the operator's business and left alone.
    $SUDO sed -i -E 's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1/32|::1/128)[[:space:]]+)[^[:space:]]+#\1trust#' \
      "/etc/postgresql/$version/$PG_CLUSTER/pg_hba.conf"
    if [ "$status" != down ]; then
      $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" reload
    fi
  fi
  if [ "$status" = down ]; then
    note "starting PostgreSQL $version/$PG_CLUSTER"
    # /run may have been emptied by a reboot; the cluster's socket lives there.
    $SUDO install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start \
      || die "PostgreSQL $version/$PG_CLUSTER did not start; see /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log"
  fi
  wait_for pg_up \
    || die "PostgreSQL on 127.0.0.1:$PG_PORT does not answer after ${WAIT}s; see /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log"
  pg_answers || die "PostgreSQL on 127.0.0.1:$PG_PORT runs but refuses user postgres without a password; \
allow it in /etc/postgresql/$version/$PG_CLUSTER/pg_hba.conf (host all all 127.0.0.1/32 trust), \
or point SAIPING_TEST_DATABASE_URL at a server you can use"
fi

# ---------------------------------------------------------------- Redis
if ! redis_answers; then
  if port_open "$REDIS_PORT"; then
    die "something listens on 127.0.0.1:$REDIS_PORT but answers PING with '$(redis_reply)', not +PONG"
  fi
  note "starting Redis on 127.0.0.1:$REDIS_PORT"
  $SUDO install -d /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
    || die "redis-server did not start; see /var/log/redis/ci.log"
  wait_for redis_answers \
    || die "Redis on 127.0.0.1:$REDIS_PORT does not answer after ${WAIT}s; see /var/log/redis/ci.log"
fi
note "PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT are up"
