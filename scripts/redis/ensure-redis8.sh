#!/usr/bin/env bash
# Makes sure a Redis 8.0.2 with vector sets (VADD/VSIM) is built and cached outside the repo, building it
# once from Debian's source tarball when needed. Idempotent; prints the bin dir on its last line.
#
# Progress goes to stderr so that `BIN=$(scripts/redis/ensure-redis8.sh | tail -n1)` gets only the path.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

log() { echo "ensure-redis8: $*" >&2; }
die() {
  echo "ensure-redis8: error: $*" >&2
  exit 1
}

BIN="$(redis_bin_dir)"
if redis_bin_ok "$BIN"; then
  echo "$BIN"
  exit 0
fi
if [ -n "${REDIS8_BIN:-}" ]; then
  die "REDIS8_BIN=$REDIS8_BIN has no redis-server/redis-cli of version $REDIS_VERSION; unset it to build one"
fi

# Only the cache is written from here on; apt needs root, so go through sudo when not root.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "building Redis needs apt-get as root (or sudo), and this user has neither"
  SUDO="sudo"
fi

mkdir -p "$REDIS_CACHE"
# Two concurrent callers (say a developer's shell and a test run) must not build into the same place.
exec 9>"$REDIS_CACHE/.lock"
flock 9
if redis_bin_ok "$BIN"; then
  echo "$BIN"
  exit 0
fi

BUILD_LOG="$REDIS_CACHE/build.log"
: >"$BUILD_LOG"
work="$(mktemp -d "$REDIS_CACHE/work.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# Runs a step with its output in the build log, showing the log's tail when it fails.
run_logged() {
  local what="$1"
  shift
  echo "### $what: $*" >>"$BUILD_LOG"
  if ! "$@" >>"$BUILD_LOG" 2>&1; then
    tail -n 30 "$BUILD_LOG" >&2
    die "$what failed (full log: $BUILD_LOG)"
  fi
}

# --- Toolchain -------------------------------------------------------------------------------------
# build-essential brings cc, make and dpkg-dev (which apt-get source relies on).
if ! command -v cc >/dev/null || ! command -v make >/dev/null || ! command -v dpkg-source >/dev/null; then
  log "installing build tools (build-essential, dpkg-dev)"
  run_logged "apt-get update" $SUDO apt-get update
  run_logged "installing build tools" $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends build-essential dpkg-dev
fi

# --- Source: Debian trixie's redis_8.0.2.orig.tar.gz -----------------------------------------------
# Bookworm only ships Redis 7; trixie's source package carries upstream 8.0.2 untouched in its orig
# tarball. Only a deb-src line is added, so no trixie binary can ever be installed through it.
mirror_uri() {
  # Reuse the host the machine's own Debian sources use (deb822 *.sources and one-line *.list).
  local uri
  uri="$(awk '
    /^[[:space:]]*$/ { if (types ~ /(^| )deb( |$)/ && uris != "") { print uris; exit } types = ""; uris = ""; next }
    tolower($1) == "types:" { $1 = ""; types = $0 " " }
    tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { uris = $i; break } }
    END { if (types ~ /(^| )deb( |$)/ && uris != "") print uris }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  if [ -z "$uri" ]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

SRC_LIST=/etc/apt/sources.list.d/redis-trixie-src.sources
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
wanted_list="# Added by ai-gateway scripts/redis/ensure-redis8.sh: source packages only, to fetch Redis 8.
Types: deb-src
URIs: $(mirror_uri)
Suites: trixie
Components: main
Signed-By: $KEYRING"
if [ "$(cat "$SRC_LIST" 2>/dev/null)" != "$wanted_list" ]; then
  log "adding $SRC_LIST"
  printf '%s\n' "$wanted_list" | $SUDO tee "$SRC_LIST" >/dev/null
fi

# Refreshes only the trixie source index: quick, and leaves the machine's other lists as they are.
# Fails when apt could not fetch it or could not check its signature.
update_trixie_src() {
  local out="$work/update.log" rc=0
  echo "### apt-get update (trixie deb-src only)" >>"$BUILD_LOG"
  $SUDO apt-get update -o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0 >"$out" 2>&1 || rc=$?
  cat "$out" >>"$BUILD_LOG"
  [ "$rc" -eq 0 ] && ! grep -q -E '^E:|NO_PUBKEY|EXPKEYSIG|not signed' "$out"
}
log "fetching the trixie source index"
if ! update_trixie_src; then
  # An older debian-archive-keyring lacks the trixie keys; bookworm's current one has them. Trusting
  # the index properly beats [trusted=yes]: the tarball's checksum below is only as good as that trust.
  log "trixie index not fetched or not trusted; updating debian-archive-keyring from bookworm and retrying"
  run_logged "apt-get update" $SUDO apt-get update
  run_logged "upgrading debian-archive-keyring" $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends debian-archive-keyring
  update_trixie_src || {
    tail -n 10 "$work/update.log" >&2
    die "could not fetch a trusted trixie source index from $(mirror_uri) (log: $BUILD_LOG)"
  }
fi

tarball="redis_${REDIS_VERSION}.orig.tar.gz"
dl="$work/download"
mkdir -p "$dl"
# apt downloads as the unprivileged _apt user when it may write the target directory.
if id _apt >/dev/null 2>&1 && [ -z "$SUDO" ]; then chown _apt "$dl"; fi
log "downloading Debian's $tarball (apt-get source --download-only redis/trixie)"
echo "### apt-get source --download-only redis/trixie" >>"$BUILD_LOG"
# Some mirrors (a caching proxy, say) hold the orig tarball but not the .dsc or debian.tar.xz; apt then
# exits non-zero although what we build from arrived, so the outcome is judged by the files below.
(cd "$dl" && $SUDO apt-get source --download-only redis/trixie) >>"$BUILD_LOG" 2>&1 || true
[ -f "$dl/$tarball" ] || {
  tail -n 15 "$BUILD_LOG" >&2
  die "apt-get source did not deliver $tarball (has trixie moved past Redis $REDIS_VERSION? see $BUILD_LOG)"
}

# The expected SHA-256 comes from the .dsc when apt got it, and always from the Sources index, which
# apt verified against Debian's signed InRelease (the same chain that vouches for the .dsc itself).
sha_from_stanzas() {
  awk -v f="$tarball" '
    /^Checksums-Sha256:/ { in_sums = 1; next }
    /^[^ ]/ { in_sums = 0 }
    in_sums && $3 == f { print $1; exit }'
}
actual="$(sha256sum "$dl/$tarball" | cut -d' ' -f1)"
index_sha="$(apt-cache showsrc redis 2>/dev/null | sha_from_stanzas)"
[ -n "$index_sha" ] || die "no checksum for $tarball in the trixie Sources index"
[ "$actual" = "$index_sha" ] || die "$tarball: sha256 $actual does not match the signed Sources index ($index_sha)"
dsc="$(find "$dl" -maxdepth 1 -name 'redis_*.dsc' | head -n1)"
if [ -n "$dsc" ]; then
  dsc_sha="$(sha_from_stanzas <"$dsc")"
  [ "$actual" = "$dsc_sha" ] || die "$tarball: sha256 $actual does not match $(basename "$dsc") ($dsc_sha)"
  log "sha256 $actual matches $(basename "$dsc") and the signed Sources index"
else
  log "sha256 $actual matches the signed Sources index (this mirror served no .dsc)"
fi

# --- Build -----------------------------------------------------------------------------------------
tar -xzf "$dl/$tarball" -C "$work"
src="$work/redis-$REDIS_VERSION"
[ -f "$src/src/version.h" ] || die "$tarball did not unpack to redis-$REDIS_VERSION/"
# Upstream's own build with its bundled deps (Debian's patches exist to unbundle them). TLS, systemd
# and the big optional modules (search, JSON, ...) stay out: tests reach Redis over loopback, and they
# would need OpenSSL headers, Rust and network access. MALLOC=libc skips building the bundled jemalloc,
# which doubled the build time here; tests do not depend on the allocator. SKIP_VEC_SETS=no makes vector
# sets (compiled into redis-server in 8.0) a hard requirement instead of silently dropped on an old compiler.
make_flags=(BUILD_TLS=no USE_SYSTEMD=no BUILD_WITH_MODULES=no MALLOC=libc SKIP_VEC_SETS=no)
log "building Redis $REDIS_VERSION (make -j2; one to a few minutes on 2 cores)"
start=$SECONDS
run_logged "make" make -C "$src" -j2 "${make_flags[@]}"
stage="$work/stage"
run_logged "make install" make -C "$src" install PREFIX="$stage" "${make_flags[@]}"
log "built in $((SECONDS - start)) s"

# --- Verify before caching: version, and that VADD/VSIM answer ---------------------------------------
verify() {
  local bin="$1" dir port pid out _
  dir="$(mktemp -d "$work/verify.XXXXXX")"
  for _ in 1 2 3 4 5; do
    port="$(free_loopback_port)"
    "$bin/redis-server" --bind 127.0.0.1 --port "$port" --protected-mode yes --save '' --appendonly no \
      --dir "$dir" --logfile "$dir/redis.log" &
    pid=$!
    if wait_for_ping "$bin/redis-cli" "$port" 10; then break; fi
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  done
  [ -n "$pid" ] || die "the new redis-server did not answer PING (log: $(tail -n 5 "$dir/redis.log" 2>/dev/null))"
  local cli=("$bin/redis-cli" -h 127.0.0.1 -p "$port")
  out="$("${cli[@]}" INFO server | tr -d '\r' | grep '^redis_version:')"
  log "$out"
  [ "$out" = "redis_version:$REDIS_VERSION" ] || die "unexpected $out"
  log "> VADD k VALUES 3 0.1 0.2 0.3 e1"
  out="$("${cli[@]}" VADD k VALUES 3 0.1 0.2 0.3 e1 2>&1)"
  log "$out"
  [ "$out" = "1" ] || die "VADD failed: $out (vector sets missing from the build?)"
  log "> VSIM k VALUES 3 0.1 0.2 0.3 WITHSCORES"
  out="$("${cli[@]}" VSIM k VALUES 3 0.1 0.2 0.3 WITHSCORES 2>&1)"
  log "$(echo "$out" | tr '\n' ' ')"
  [ "$(echo "$out" | head -n1)" = "e1" ] || die "VSIM failed: $out"
  "${cli[@]}" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
}
verify "$stage/bin"

# Swap the new bin dir in with renames on the same filesystem, so a reader never sees half of it.
rm -rf "$REDIS_CACHE/bin.old" "$REDIS_CACHE/.verified"
[ ! -e "$REDIS_CACHE/bin" ] || mv "$REDIS_CACHE/bin" "$REDIS_CACHE/bin.old"
mv "$stage/bin" "$REDIS_CACHE/bin"
rm -rf "$REDIS_CACHE/bin.old"
printf 'redis %s from Debian %s, sha256 %s, built %s\n' "$REDIS_VERSION" "$tarball" "$actual" "$(date -u +%FT%TZ)" \
  >"$REDIS_CACHE/.verified"
log "cached in $REDIS_CACHE/bin"
echo "$REDIS_CACHE/bin"
