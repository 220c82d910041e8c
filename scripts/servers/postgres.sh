# shellcheck shell=bash disable=SC2034 # COMPONENT is read by log() and die() in common.sh
# Postgres from Debian's `postgresql` package, run as the `postgres` OS user (initdb refuses root)
# on 127.0.0.1:$PG_PORT with its data, socket and log under $DATA/postgres. Sourced by servers.sh.

PG_DIR="$DATA/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCKETS="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
PG_INITIALISED="$PG_DIR/initialised"
# Test speed over durability: nothing here must survive a crash.
PG_OPTIONS="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$PG_SOCKETS'"
PG_OPTIONS+=" -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
PG_OPTIONS+=" -c shared_buffers=128MB"
# Statement statistics for the benchmarks' per-statement reports (`npm run bench -- saga`).
PG_OPTIONS+=" -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"

postgres_packages() { echo postgresql; }

# The newest installed server's bin directory (/usr/lib/postgresql/<major>/bin).
pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    die "no Postgres server under /usr/lib/postgresql (package postgresql)"
  fi
  echo "$dir"
}

# Runs a command as the postgres OS user, from a directory it can read.
pg_as() { (cd / && runuser -u postgres -- "$@"); }

pg_ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

# psql as the superuser over the unix socket in the cache (trusted locally; TCP needs a password).
pg_sql() { pg_as "$(pg_bin)/psql" -h "$PG_SOCKETS" -p "$PG_PORT" -U postgres -d postgres -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

postgres_install() {
  COMPONENT=postgres
  pg_bin >/dev/null
  id postgres >/dev/null 2>&1 || die "the postgres OS user is missing (the postgresql package creates it)"
}

# Makes sure role eventline (no superuser; CREATEDB, CREATEROLE) and database eventline exist.
pg_ensure_role_and_database() {
  pg_sql -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eventline') THEN
        CREATE ROLE eventline LOGIN PASSWORD 'eventline' NOSUPERUSER CREATEDB CREATEROLE;
      END IF;
    END \$\$;" >/dev/null || die "creating role eventline"
  if [ "$(pg_sql -c "SELECT 1 FROM pg_database WHERE datname = 'eventline'")" != 1 ]; then
    log "creating database eventline owned by eventline"
    pg_sql -c "CREATE DATABASE eventline OWNER eventline" >/dev/null || die "creating database eventline"
  fi
  # The benchmarks read statement statistics of their own databases through this view.
  pg_sql -d eventline -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; GRANT pg_read_all_stats TO eventline" \
    >/dev/null || die "creating extension pg_stat_statements"
}

postgres_start() {
  COMPONENT=postgres
  local bin major pid
  bin=$(pg_bin)
  major=$(basename "$(dirname "$bin")")
  if pg_ready; then
    # Another checkout's Postgres on this port answers too; only this one's socket is in $PG_SOCKETS.
    [ -S "$PG_SOCKETS/.s.PGSQL.$PG_PORT" ] \
      || die "port $PG_PORT answers, but not with the Postgres of $PG_DATA (another checkout's? run 'npm run servers -- down' there, or set EVENTLINE_PG_PORT)"
    log "already up on 127.0.0.1:$PG_PORT"
    pg_ensure_role_and_database
    return 0
  fi

  mkdir -p "$PG_DIR"
  chown postgres:postgres "$PG_DIR"
  pg_as test -w "$PG_DIR" || die "the postgres OS user cannot write $PG_DIR (is a parent directory closed to others?); set EVENTLINE_SERVERS_DATA to a directory it can reach"

  # A data directory from another major version, or from an initdb that never finished, is
  # test data: start over.
  if [ -d "$PG_DATA" ] && { [ ! -f "$PG_INITIALISED" ] || [ "$(cat "$PG_DATA/PG_VERSION" 2>/dev/null)" != "$major" ]; }; then
    log "discarding unusable data directory $PG_DATA (unfinished initdb or not Postgres $major)"
    rm -rf "$PG_DATA" "$PG_INITIALISED"
  fi
  if [ ! -d "$PG_DATA" ]; then
    log "initdb (Postgres $major) in $PG_DATA"
    pg_as "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 || { show_log "$PG_DIR/initdb.log"; die "initdb"; }
    touch "$PG_INITIALISED"
  fi
  mkdir -p "$PG_SOCKETS"
  chown -R postgres:postgres "$PG_DIR"

  # A postmaster.pid whose process is gone (a crash, a killed machine) is stale: recover.
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pid=$(head -1 "$PG_DATA/postmaster.pid")
    if pid_is "$pid" "$PG_DATA"; then
      log "a postmaster (pid $pid) holds $PG_DATA but does not answer yet; waiting up to 30s"
      wait_until 30 pg_ready && { log "up on 127.0.0.1:$PG_PORT"; pg_ensure_role_and_database; return 0; }
      log "stopping the unresponsive postmaster (pid $pid)"
      pg_as "$bin/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
    else
      log "removing stale postmaster.pid (pid $pid is gone)"
    fi
    rm -f "$PG_DATA/postmaster.pid"
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by something that is not this Postgres"

  log "starting Postgres $major on 127.0.0.1:$PG_PORT (log $PG_LOG)"
  pg_as "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "$PG_OPTIONS" -w -t 60 start >/dev/null 9>&- \
    || { show_log "$PG_LOG"; die "pg_ctl start"; }
  wait_until 30 pg_ready || { show_log "$PG_LOG"; die "pg_isready did not answer within 30s"; }
  pg_ensure_role_and_database
}

postgres_stop() {
  COMPONENT=postgres
  if [ -f "$PG_DATA/PG_VERSION" ] && pg_as "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "stopping (pg_ctl stop -m fast)"
    pg_as "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop"
  else
    log "not running"
  fi
}

postgres_status() {
  if pg_ready; then echo "postgres: up on 127.0.0.1:$PG_PORT"; else echo "postgres: down" && return 1; fi
}

postgres_clean() { rm -rf "$PG_DATA" "$PG_INITIALISED" "$PG_LOG" "$PG_DIR/initdb.log"; }
