# shellcheck shell=bash disable=SC2034 # COMPONENT is read by log() and die() in common.sh
# Redis from Debian's `redis-server` package on 127.0.0.1:$REDIS_PORT, without persistence (a test
# cache), its pid file and log under $DATA/redis. Sourced by servers.sh.

REDIS_DIR="$DATA/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

redis_packages() { echo redis-server redis-tools; }

redis_cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_ready() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }
redis_gone() { ! redis_ready; }
redis_pid() {
  local pid
  pid=$(cat "$REDIS_PID" 2>/dev/null) || return 1
  pid_is "$pid" "redis-server" && echo "$pid"
}

redis_install() {
  COMPONENT=redis
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    die "redis-server or redis-cli missing (packages redis-server, redis-tools)"
  fi
}

redis_start() {
  COMPONENT=redis
  local pid
  if redis_ready; then
    log "already up on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  mkdir -p "$REDIS_DIR"
  if pid=$(redis_pid); then
    log "redis-server (pid $pid) is alive but does not answer PING; waiting up to 10s"
    wait_until 10 redis_ready && { log "up on 127.0.0.1:$REDIS_PORT"; return 0; }
    log "killing the unresponsive redis-server (pid $pid)"
    kill -9 "$pid" 2>/dev/null || true
    wait_until 10 pid_gone "$pid" || die "pid $pid would not die"
  fi
  if [ -f "$REDIS_PID" ]; then
    log "removing stale pid file $REDIS_PID"
    rm -f "$REDIS_PID"
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that does not answer PING"

  log "starting redis-server $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-) on 127.0.0.1:$REDIS_PORT (log $REDIS_LOG)"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" 9>&- \
    || { show_log "$REDIS_LOG"; die "redis-server did not start"; }
  wait_until 30 redis_ready || { show_log "$REDIS_LOG"; die "no PONG within 30s"; }
}

redis_stop() {
  COMPONENT=redis
  local pid=""
  pid=$(redis_pid) || pid=""
  if redis_ready; then
    log "stopping (SHUTDOWN NOSAVE)"
    redis_cli shutdown nosave >/dev/null 2>&1 || true
  elif [ -n "$pid" ]; then
    log "redis-server (pid $pid) does not answer; sending SIGTERM"
    kill "$pid" 2>/dev/null || true
  else
    log "not running"
    rm -f "$REDIS_PID"
    return 0
  fi
  if [ -n "$pid" ]; then
    wait_until 20 pid_gone "$pid" || { kill -9 "$pid" 2>/dev/null || true; log "killed pid $pid after 20s"; }
  fi
  wait_until 10 redis_gone || die "still answering after shutdown"
  rm -f "$REDIS_PID"
}

redis_status() {
  if redis_ready; then echo "redis: up on 127.0.0.1:$REDIS_PORT"; else echo "redis: down" && return 1; fi
}

redis_clean() { rm -f "$REDIS_LOG" "$REDIS_PID"; }
