#!/usr/bin/env bash
# Real Postgres, Redis and Kafka for tests on a machine without a container engine: installed from
# Debian packages and Maven Central (cached under .cache/servers), started on loopback, left running.
#
#   servers.sh up [postgres|redis|kafka ...]   install what is missing, start, wait until each answers
#   servers.sh down [NAME ...]                  stop them cleanly
#   servers.sh status [NAME ...]                which are up (exit 1 if any is down)
#   servers.sh env                              export lines: DATABASE_URL, REDIS_URL, KAFKA_BROKERS
#   servers.sh clean [NAME ...]                 stop and delete their data (downloads stay cached)
#
# Ports: Postgres 54329, Redis 63799, Kafka 19092 (controller 19093); EVENTLINE_PG_PORT,
# EVENTLINE_REDIS_PORT, EVENTLINE_KAFKA_PORT, EVENTLINE_KAFKA_CONTROLLER_PORT and
# EVENTLINE_SERVERS_CACHE (default <repo>/.cache/servers) move them. EVENTLINE_SERVERS_DATA (default
# the cache directory) is where an instance keeps its data, config, pid and log files: a second
# instance, on other ports with a data directory of its own, shares the cache's downloads.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
# shellcheck source=postgres.sh
source "$here/postgres.sh"
# shellcheck source=redis.sh
source "$here/redis.sh"
# shellcheck source=kafka.sh
source "$here/kafka.sh"

ALL=(postgres redis kafka)

command="${1:-up}"
[ $# -gt 0 ] && shift
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${ALL[@]}")
for name in "${names[@]}"; do
  case "$name" in
    postgres | redis | kafka) ;;
    *) die "unknown server '$name' (postgres, redis, kafka)" ;;
  esac
done

# One `up`/`down`/`clean` at a time per data directory (two test runs may start together). The
# servers are started with fd 9 closed, or they would hold the lock for as long as they run.
lock() {
  mkdir -p "$DATA"
  exec 9>"$DATA/.lock"
  flock -w 300 9 || die "another servers.sh holds $DATA/.lock for more than 300s"
}

up() {
  local total name packages=() started
  total=$(now_us)
  lock
  for name in "${names[@]}"; do
    read -r -a more <<<"$("${name}_packages")"
    packages+=("${more[@]}")
  done
  started=$(now_us)
  if [ ${#packages[@]} -gt 0 ]; then
    COMPONENT=apt
    apt_install "${packages[@]}"
    log "packages ready in $(since "$started")"
  fi
  for name in "${names[@]}"; do
    started=$(now_us)
    "${name}_install"
    COMPONENT=$name
    log "install step took $(since "$started")"
    started=$(now_us)
    "${name}_start"
    COMPONENT=$name
    log "up; start step took $(since "$started")"
  done
  COMPONENT=servers
  log "${names[*]} up in $(since "$total")"
}

down() {
  local name
  lock
  # Kafka first (clients in tests may still hold Postgres connections), then Redis, then Postgres.
  for name in kafka redis postgres; do
    [[ " ${names[*]} " == *" $name "* ]] && "${name}_stop"
  done
  return 0
}

status() {
  local name failed=0
  for name in "${names[@]}"; do "${name}_status" || failed=1; done
  return "$failed"
}

print_env() {
  echo "export DATABASE_URL=postgres://eventline:eventline@127.0.0.1:$PG_PORT/eventline"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
}

clean() {
  local name
  down
  for name in "${names[@]}"; do
    COMPONENT=$name
    log "deleting data"
    "${name}_clean"
  done
}

case "$command" in
  up | down | status | clean) "$command" ;;
  env) print_env ;;
  -h | --help | help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$command' (up, down, status, env, clean)" ;;
esac
