#!/usr/bin/env bash
# Starts, stops or reports on the private Redis that the test suite talks to (127.0.0.1 only, no
# persistence, a throwaway dir). Usage: test-redis.sh start|stop|status
#
# start prints the server's URL on its last line and records it in the state file
# (${TEST_REDIS_STATE:-.data/test-redis.env}, shell syntax, for `. file` in .ci/run or a developer shell).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

STATE="${TEST_REDIS_STATE:-$root/.data/test-redis.env}"

log() { echo "test-redis: $*" >&2; }
die() {
  echo "test-redis: error: $*" >&2
  exit 1
}

# Loads the state file into REDIS_PORT/REDIS_PID/REDIS_DIR/REDIS_URL; false when there is none.
load_state() {
  REDIS_PORT="" REDIS_PID="" REDIS_DIR="" REDIS_URL=""
  [ -f "$STATE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE"
  [ -n "$REDIS_PID" ] && [ -n "$REDIS_PORT" ]
}

# True when PID is still our redis-server on PORT: the state file may outlive the process, and the
# pid may since have gone to something else that must not be killed.
is_our_server() {
  local pid="$1" port="$2" cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *redis-server*"127.0.0.1:$port"* ]]
}

cmd_start() {
  local bin cli dir port pid attempt
  if load_state && is_our_server "$REDIS_PID" "$REDIS_PORT"; then
    bin="$(redis_bin_dir)"
    if wait_for_ping "$bin/redis-cli" "$REDIS_PORT" 2; then
      log "already running (pid $REDIS_PID) at $REDIS_URL"
      echo "$REDIS_URL"
      return 0
    fi
  fi
  cmd_stop >/dev/null 2>&1 || true

  bin="$("$here/ensure-redis8.sh" | tail -n1)" || die "no Redis $REDIS_VERSION build (see scripts/redis/ensure-redis8.sh output above)"
  cli="$bin/redis-cli"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/ai-gateway-test-redis.XXXXXX")"
  # The free port is only free until someone binds it; another process winning that race costs a retry.
  for attempt in 1 2 3 4 5; do
    port="$(free_loopback_port)"
    rm -f "$dir/redis.pid"
    # Daemonized so the server outlives this script; the pidfile is how stop finds it again.
    "$bin/redis-server" --bind 127.0.0.1 --port "$port" --protected-mode yes \
      --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" ||
      die "redis-server would not start (log: $dir/redis.log)"
    if wait_for_ping "$cli" "$port" 10; then
      pid="$(cat "$dir/redis.pid")"
      mkdir -p "$(dirname "$STATE")"
      cat >"$STATE" <<EOF
# Written by scripts/redis/test-redis.sh start; removed by stop.
REDIS_PORT=$port
REDIS_PID=$pid
REDIS_DIR=$dir
REDIS_URL=redis://127.0.0.1:$port
EOF
      log "started redis-server $REDIS_VERSION (pid $pid) at redis://127.0.0.1:$port; state in $STATE"
      echo "redis://127.0.0.1:$port"
      return 0
    fi
    [ ! -f "$dir/redis.pid" ] || kill -9 "$(cat "$dir/redis.pid")" 2>/dev/null || true
    log "attempt $attempt on port $port failed: $(tail -n 1 "$dir/redis.log" 2>/dev/null)"
  done
  die "redis-server did not answer PING after 5 attempts (log: $dir/redis.log)"
}

cmd_stop() {
  local i
  if ! load_state; then
    log "not running (no $STATE)"
    return 0
  fi
  if is_our_server "$REDIS_PID" "$REDIS_PORT"; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    # With nothing to save, SIGTERM ends Redis at once; SIGKILL is for a wedged one.
    for ((i = 0; i < 100; i++)); do
      is_our_server "$REDIS_PID" "$REDIS_PORT" || break
      sleep 0.05
    done
    if is_our_server "$REDIS_PID" "$REDIS_PORT"; then kill -KILL "$REDIS_PID" 2>/dev/null || true; fi
    log "stopped pid $REDIS_PID (port $REDIS_PORT)"
  else
    log "pid $REDIS_PID had already gone; clearing its state"
  fi
  # Only ever remove a dir this script made.
  case "$REDIS_DIR" in */ai-gateway-test-redis.*) rm -rf "$REDIS_DIR" ;; esac
  rm -f "$STATE"
}

cmd_status() {
  if load_state && is_our_server "$REDIS_PID" "$REDIS_PORT"; then
    echo "running: pid $REDIS_PID, $REDIS_URL"
  else
    echo "not running"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
