# shellcheck shell=bash disable=SC2034 # the settings below are read by the component files
# Shared by the server scripts: where things live, how each step reports itself, and small helpers.
# Sourced by servers.sh; every component file (postgres.sh, redis.sh, kafka.sh) relies on it.

SERVERS_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVERS_SCRIPTS/../.." && pwd)"
# Everything downloaded lives here (.cache/ is git-ignored), and by default what the servers write.
CACHE="${EVENTLINE_SERVERS_CACHE:-$REPO_ROOT/.cache/servers}"
# What one instance writes (data, config, pid and log files): a second instance on other ports
# gets a directory of its own here and still shares the downloads in $CACHE.
DATA="${EVENTLINE_SERVERS_DATA:-$CACHE}"

PG_PORT="${EVENTLINE_PG_PORT:-54329}"
REDIS_PORT="${EVENTLINE_REDIS_PORT:-63799}"
KAFKA_PORT="${EVENTLINE_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${EVENTLINE_KAFKA_CONTROLLER_PORT:-19093}"

export LC_ALL=C DEBIAN_FRONTEND=noninteractive

# The component the current step belongs to; every message names it.
COMPONENT=servers

log() { printf '[servers/%s] %s\n' "$COMPONENT" "$*" >&2; }
die() {
  printf '[servers/%s] FAILED: %s\n' "$COMPONENT" "$*" >&2
  exit 1
}

# Microsecond clock and "how long since" in seconds with two decimals.
now_us() { local t="$EPOCHREALTIME"; echo "${t/./}"; }
since() {
  local ms=$((($(now_us) - $1) / 1000))
  printf '%d.%02ds' $((ms / 1000)) $((ms % 1000 / 10))
}

# Installs the Debian packages that are not installed yet; `apt-get update` runs at most once per
# invocation and only when something is missing.
APT_UPDATED=0
apt_install() {
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages already installed: $*"
    return 0
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update (needed for: ${missing[*]})"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.25 s; fails (returns 1) after SECONDS.
wait_until() {
  local timeout="$1" deadline
  shift
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.25
  done
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# True when the PID is a live process whose command line contains PATTERN (guards against reuse).
pid_is() {
  local pid="$1" pattern="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] \
    && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# Prints the last lines of a log to stderr, to explain a failure.
show_log() {
  [ -f "$1" ] || return 0
  log "last lines of $1:"
  tail -n "${2:-25}" "$1" | sed 's/^/    /' >&2
}
