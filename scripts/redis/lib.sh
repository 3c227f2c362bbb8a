# Shared helpers for the scripts in scripts/redis/ (sourced, not run): the pinned version, the cache
# location and small loopback utilities.
# shellcheck shell=bash

REDIS_VERSION=8.0.2
# HOME may be missing from a stripped CI environment; the passwd entry is the same place.
REDIS_CACHE="${REDIS8_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/ai-gateway/redis-$REDIS_VERSION}"

# The bin dir: REDIS8_BIN wins so CI and developers can point at a build they made elsewhere.
redis_bin_dir() {
  echo "${REDIS8_BIN:-$REDIS_CACHE/bin}"
}

# True when BIN holds a usable Redis of the pinned version. A marker written after the vector-set
# check guards against a half-copied or foreign build sitting at the same path.
redis_bin_ok() {
  local bin="$1"
  [ -x "$bin/redis-server" ] && [ -x "$bin/redis-cli" ] || return 1
  "$bin/redis-server" --version 2>/dev/null | grep -q "v=$REDIS_VERSION " || return 1
  # REDIS8_BIN may name a build that this script did not verify: the version check is all we ask of it.
  [ -n "${REDIS8_BIN:-}" ] || [ -f "$bin/../.verified" ]
}

# Prints a port that was free a moment ago. Node is used because the project needs it anyway and it
# binds port 0 portably; the small race with another binder is handled by the callers' retries.
free_loopback_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

# Waits until the server on PORT answers PING, up to SECONDS (default 10).
wait_for_ping() {
  local cli="$1" port="$2" seconds="${3:-10}" i
  for ((i = 0; i < seconds * 20; i++)); do
    if [ "$("$cli" -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.05
  done
  return 1
}
