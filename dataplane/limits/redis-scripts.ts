// The Lua script of the Redis limit store: one EVALSHA runs the reconciliations waiting to be sent, then the
// admissions of one event-loop turn, atomically across every replica that shares the Redis, which is what makes
// limits exact instead of multiplied by the replica count. Numbers stay integers (Redis truncates Lua floats in
// replies).
import { BUDGET_RETENTION_MS } from './checks.js';

/**
 * One call carries any number of admissions and of finished requests' reconciliations.
 * KEYS: each admission's check keys in order, then each reconciliation's. (A call spans scopes, so a Redis
 * Cluster would refuse it; the store talks to one Redis.)
 * ARGV[1]: the number of admissions A. Then three arguments per admission: its checks packed in one
 * space-separated string (ioredis encodes and length-prefixes every argument separately, so ~6 arguments per check
 * cost the gateway more CPU than one string costs Lua to split):
 *   now_ms reservation_ttl_ms, then per check one of
 *   gcra:   g limit period_ms cost
 *   conc:   c limit
 *   budget: b limit amount min_amount ends_at_ms unit(t|c)
 * its request id (never parsed), and its number of keys. Then two arguments per reconciliation: a packed string
 * `key_count now_ms actual_tokens actual_cost reserved_tokens retry(0|1)` (retry: applied only while the
 * request's slot or reservation is still there, see `pending`), then per check one of:
 * g limit period_ms reserved_until_ms|-1 (tpm: give back, at most what of the reservation lies ahead of now, or
 * charge the difference) | r (rpm: nothing to give back) | c (concurrency) | b unit(t|c) reserved_amount
 * ends_at_ms | x expires_at_ms (release: the budget reservation of this request id with that expiry, whatever
 * its amount, and no usage) | m px (a request holding nothing but tpm windows: its key is a marker, set for px ms
 * when the reconciliation is applied, by which a repeat knows it was); and
 * its request id.
 * Reconciliations run first, so what they give back is free for the admissions of the same call.
 * Reply: {admissions, failed_reconciliations}. Per admission {1, granted_tokens|-1, granted_cost|-1, then
 * remaining, reset of each gcra check in order}, {0, failed_index, retry_ms, used, limit}, or {-1, error}: each
 * runs in a pcall, so an error fails that admission alone and does not fail the reconciliations that were
 * applied before it (Redis does not roll a script back: failing them would have them retried and counted
 * twice). failed_reconciliations: {index, error, ...} of those that raised (not retried either).
 *
 * Layout. gcra: a string, the theoretical arrival time. concurrency: a sorted set of request ids scored by when
 * their reservation expires. budget: a hash {used, reserved} and a sorted set `<key>:r` of reservations, member
 * `<amount>:<request id>` scored by expiry, so that an expired reservation gives its amount back without a
 * lookup and a reconciliation (which knows its amount: min(requested, granted)) removes exactly its own.
 * Both expire 35 days after their period: the set's expiry is set (NX) on every admission, the hash's while it
 * has no usage yet and when a period's first usage is counted (which also covers a hash that a reconciliation
 * wrote anew). Reservations made by the previous layout (member = request id, amount in `<key>:a`) are still
 * found and given back.
 * Each redis.call costs Redis ~1 µs of Lua overhead on top of the command, most of this script's time, hence
 * the shortcuts: the hash's expiry is not set on every admission, and expired concurrency slots are cleared
 * only when they would refuse a request.
 */
export const LIMITS_SCRIPT = `
local retention = ${BUDGET_RETENTION_MS}

-- Rounding allowance when whole units are read off a window kept in Unix ms (see unitEpsilon in checks.ts).
local function eps(now, interval)
  return math.min(0.5, math.abs(now) * 8 * 2.220446049250313e-16 / interval)
end

local function message(err)
  if type(err) == 'table' then return tostring(err.err) end
  return tostring(err)
end

-- The amount of a reservation of the previous layout, given back once.
local function legacyAmount(key, member)
  local akey = key .. ':a'
  local amount = tonumber(redis.call('HGET', akey, member) or '0')
  redis.call('HDEL', akey, member)
  return amount
end

-- Whether a repeated reconciliation still has something to apply: the request's concurrency slot or budget
-- reservation is still there. A repeat follows an attempt that failed in transit, which Redis may have run all
-- the same (atomically: all of it or nothing); if it did, it removed them, and the repeat must not count the
-- usage again. A request with neither (rate limits only) cannot tell, and is applied.
local function pending(k, packed, id)
  local arg = string.gmatch(packed, '%S+')
  local count = tonumber(arg())
  for _ = 1, 5 do arg() end
  local held = nil
  for i = k + 1, k + count do
    local kind = arg()
    if kind == 'g' then
      arg()
      arg()
      arg()
    elseif kind == 'c' then
      held = held or false
      if redis.call('ZSCORE', KEYS[i], id) then return true end
    elseif kind == 'b' then
      arg()
      local amount = arg()
      arg()
      held = held or false
      local rkey = KEYS[i] .. ':r'
      if redis.call('ZSCORE', rkey, amount .. ':' .. id) or redis.call('ZSCORE', rkey, id) then return true end
    elseif kind == 'x' then
      arg()
    elseif kind == 'm' then
      -- A request with rate windows only: the marker its first applied attempt left says it was applied.
      arg()
      held = held or false
      if redis.call('EXISTS', KEYS[i]) == 0 then return true end
    end
  end
  return held == nil
end

local function reconcile(k, packed, id)
  local arg = string.gmatch(packed, '%S+')
  local count = tonumber(arg())
  local now = tonumber(arg())
  local tokens = tonumber(arg())
  local cost = tonumber(arg())
  local reservedTokens = tonumber(arg())
  local retry = arg()
  if retry == '1' and not pending(k, packed, id) then return end
  for i = k + 1, k + count do
    local kind = arg()
    local key = KEYS[i]
    if kind == 'g' then
      local limit = tonumber(arg())
      local period = tonumber(arg())
      local reservedUntil = tonumber(arg())
      local tat = tonumber(redis.call('GET', key) or '0')
      if tat > 0 then
        local delta = (tokens - reservedTokens) * (period / limit)
        -- A give-back only of what of the reservation still lies ahead: the rest aged out of the window.
        if delta < 0 and reservedUntil >= 0 then delta = math.max(delta, -math.max(0, reservedUntil - now)) end
        local nt = tat + delta
        if nt > now then redis.call('SET', key, nt, 'PX', math.ceil(nt - now) + 1) else redis.call('DEL', key) end
      end
    elseif kind == 'c' then
      redis.call('ZREM', key, id)
    elseif kind == 'b' then
      local unit = arg()
      local amount = arg()
      local endsAt = tonumber(arg())
      local rkey = key .. ':r'
      -- Gone when it expired meanwhile: its amount was given back then, not a second time now.
      if redis.call('ZREM', rkey, amount .. ':' .. id) == 1 then
        redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
      elseif redis.call('ZREM', rkey, id) == 1 then
        redis.call('HINCRBY', key, 'reserved', -legacyAmount(key, id))
      end
      local delta = unit == 't' and tokens or cost
      if redis.call('HINCRBY', key, 'used', delta) == delta then redis.call('PEXPIREAT', key, endsAt + retention) end
    elseif kind == 'm' then
      redis.call('SET', key, '1', 'PX', tonumber(arg()))
    elseif kind == 'x' then
      -- Release of an admission the gateway never heard back from: its reservation, if it was made, has the
      -- score the admission gave it (its expiry) and ends with the request id; its amount is not known here.
      local expiresAt = arg()
      local rkey = key .. ':r'
      local suffix = ':' .. id
      for _, member in ipairs(redis.call('ZRANGEBYSCORE', rkey, expiresAt, expiresAt)) do
        if string.sub(member, -#suffix) == suffix then
          local amount = string.match(member, '^(%d+):')
          if amount and redis.call('ZREM', rkey, member) == 1 then
            redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
          end
        end
      end
    end
  end
end

local function admit(k, n, packed, id)
  local arg = string.gmatch(packed, '%S+')
  local now = tonumber(arg())
  local ttl = tonumber(arg())
  local kinds, limits, p1, p2, p3, units = {}, {}, {}, {}, {}, {}
  for i = 1, n do
    local kind = arg()
    kinds[i] = kind
    limits[i] = tonumber(arg())
    if kind == 'g' then
      p1[i] = tonumber(arg())
      p2[i] = tonumber(arg())
    elseif kind == 'b' then
      p1[i] = tonumber(arg())
      p2[i] = tonumber(arg())
      p3[i] = tonumber(arg())
      units[i] = arg()
    end
  end
  local grant = { t = -1, c = -1 }
  local newtat, fresh = {}, {}
  local reply = { 1, -1, -1 }
  for i = 1, n do
    local kind = kinds[i]
    local limit = limits[i]
    local key = KEYS[k + i]
    if kind == 'g' then
      local period = p1[i]
      local cost = p2[i]
      local interval = period / limit
      local tat = tonumber(redis.call('GET', key) or now)
      if tat < now then tat = now end
      local nt = tat + cost * interval
      if nt - period > now then
        return { 0, i, math.ceil(nt - period - now), math.ceil((tat - now) / interval - eps(now, interval)), limit }
      end
      newtat[i] = nt
      reply[#reply + 1] = math.floor((period - (nt - now)) / interval + eps(now, interval))
      reply[#reply + 1] = math.ceil(nt - now)
    elseif kind == 'c' then
      local count = redis.call('ZCARD', key)
      if count >= limit then
        -- Slots of requests whose replica died expire; only worth clearing when they would refuse this one.
        redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
        count = redis.call('ZCARD', key)
        if count >= limit then return { 0, i, 1000, count, limit } end
      end
    else
      local rkey = key .. ':r'
      local counters = redis.call('HMGET', key, 'used', 'reserved')
      local used = tonumber(counters[1] or '0')
      local reserved = tonumber(counters[2] or '0')
      local expired = redis.call('ZRANGEBYSCORE', rkey, '-inf', now)
      if #expired > 0 then
        for _, member in ipairs(expired) do
          local amount = string.match(member, '^(%d+):')
          reserved = reserved - (amount and tonumber(amount) or legacyAmount(key, member))
        end
        redis.call('ZREMRANGEBYSCORE', rkey, '-inf', now)
        redis.call('HSET', key, 'reserved', reserved)
        -- The hash may be new here, and this admission may yet be refused: it needs its expiry now.
        if counters[1] == false then redis.call('PEXPIREAT', key, p3[i] + retention) end
      end
      local remaining = limit - used - reserved
      if remaining <= 0 or remaining < p2[i] then
        return { 0, i, math.max(0, p3[i] - now), used + reserved, limit }
      end
      local unit = units[i]
      if grant[unit] < 0 or remaining < grant[unit] then grant[unit] = remaining end
      -- No usage counted yet: the hash may be new (a reconciliation that counts usage sets the expiry too).
      fresh[i] = counters[1] == false
    end
  end
  for i = 1, n do
    local kind = kinds[i]
    local key = KEYS[k + i]
    if kind == 'g' then
      redis.call('SET', key, newtat[i], 'PX', math.ceil(newtat[i] - now) + 1)
    elseif kind == 'c' then
      redis.call('ZADD', key, now + ttl, id)
      redis.call('PEXPIRE', key, ttl)
    else
      -- Whole units: the gateway computes the same min() of integers to find the member again.
      local amount = math.floor(math.min(p1[i], grant[units[i]]))
      local rkey = key .. ':r'
      redis.call('HINCRBY', key, 'reserved', amount)
      -- %d: plain digits, as the gateway writes the amount (Lua's number format would give '1e+14').
      redis.call('ZADD', rkey, now + ttl, string.format('%d', amount) .. ':' .. id)
      -- NX: only a set without an expiry gets one. Checked on every admission because the set disappears
      -- whenever its last reservation goes, and whether this ZADD made it anew is not otherwise known.
      local expires = p3[i] + retention
      redis.call('PEXPIREAT', rkey, expires, 'NX')
      if fresh[i] then redis.call('PEXPIREAT', key, expires) end
    end
  end
  reply[2] = grant.t
  reply[3] = grant.c
  return reply
end

local count = tonumber(ARGV[1])
local k = 0
for a = 1, count do k = k + tonumber(ARGV[3 * a + 1]) end
local failed = {}
local r = 0
for j = 3 * count + 2, #ARGV, 2 do
  r = r + 1
  local packed = ARGV[j]
  local ok, err = pcall(reconcile, k, packed, ARGV[j + 1])
  if not ok then
    failed[#failed + 1] = r
    failed[#failed + 1] = message(err)
  end
  k = k + tonumber(string.match(packed, '^%d+'))
end
local replies = {}
k = 0
for a = 1, count do
  local n = tonumber(ARGV[3 * a + 1])
  local ok, result = pcall(admit, k, n, ARGV[3 * a - 1], ARGV[3 * a])
  if ok then replies[a] = result else replies[a] = { -1, message(result) } end
  k = k + n
end
return { replies, failed }
`;
