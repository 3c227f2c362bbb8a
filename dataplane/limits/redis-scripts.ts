// The Lua script of the Redis limit store: one EVALSHA runs the reconciliations waiting to be sent, then one
// admission, atomically across every replica that shares the Redis, which is what makes limits exact instead of
// multiplied by the replica count. Numbers stay integers (Redis truncates Lua floats in replies).

/**
 * KEYS: the admission's check keys first (ARGV[3] of them), then the keys of each carried reconciliation in order.
 * ARGV[1]: the admission, one space-separated string ('' when the call only reconciles; ioredis encodes and
 * length-prefixes every argument separately, so ~6 arguments per check cost the gateway more CPU than one string
 * costs Lua to split):
 *   now_ms reservation_ttl_ms, then per check one of
 *   gcra:   g limit period_ms cost
 *   conc:   c limit
 *   budget: b limit amount min_amount ends_at_ms unit(t|c)
 * ARGV[2]: the admission's request id (apart: any string, never parsed). ARGV[3]: its number of keys.
 * Then two arguments per carried reconciliation: a packed string `key_count now_ms actual_tokens actual_cost
 * reserved_tokens`, then per check one of: g limit period_ms (tpm: give back or charge the difference) | r (rpm:
 * nothing to give back) | c (concurrency) | b unit(t|c) reserved_amount; and its request id.
 * Reconciliations run first, so what they give back is free for the admission in the same call.
 * Reply without an admission: {1}. With one: {1, granted_tokens|-1, granted_cost|-1, then remaining, reset of
 * each gcra check in order} or {0, failed_index, retry_ms, used, limit}.
 *
 * Layout. gcra: a string, the theoretical arrival time. concurrency: a sorted set of request ids scored by when
 * their reservation expires. budget: a hash {used, reserved} and a sorted set `<key>:r` of reservations, member
 * `<amount>:<request id>` scored by expiry, so that an expired reservation gives its amount back without a
 * lookup and a reconciliation (which knows its amount: min(requested, granted)) removes exactly its own.
 * Each redis.call costs Redis ~1-2 µs, most of this script's time, hence the shortcuts below: the expiry of a
 * budget's keys is set when they are (re)created only, and expired concurrency slots are cleared only when
 * they would refuse a request.
 */
export const LIMITS_SCRIPT = `
local function reconcile(k, packed, id)
  local arg = string.gmatch(packed, '%S+')
  local count = tonumber(arg())
  local now = tonumber(arg())
  local tokens = tonumber(arg())
  local cost = tonumber(arg())
  local reservedTokens = tonumber(arg())
  for i = k + 1, k + count do
    local kind = arg()
    local key = KEYS[i]
    if kind == 'g' then
      local limit = tonumber(arg())
      local period = tonumber(arg())
      local tat = tonumber(redis.call('GET', key) or '0')
      if tat > 0 then
        local nt = tat + (tokens - reservedTokens) * (period / limit)
        if nt > now then redis.call('SET', key, nt, 'PX', math.ceil(nt - now) + 1) else redis.call('DEL', key) end
      end
    elseif kind == 'c' then
      redis.call('ZREM', key, id)
    elseif kind == 'b' then
      local unit = arg()
      local amount = arg()
      -- Gone when it expired meanwhile: its amount was given back then, not a second time now.
      if redis.call('ZREM', key .. ':r', amount .. ':' .. id) == 1 then
        redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
      end
      redis.call('HINCRBY', key, 'used', unit == 't' and tokens or cost)
    end
  end
  return k + count
end

local n = tonumber(ARGV[3])
local k = n
for j = 4, #ARGV, 2 do k = reconcile(k, ARGV[j], ARGV[j + 1]) end
if ARGV[1] == '' then return { 1 } end

local arg = string.gmatch(ARGV[1], '%S+')
local now = tonumber(arg())
local ttl = tonumber(arg())
local id = ARGV[2]
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
local retention = ${35 * 24 * 3600 * 1000}
local grant = { t = -1, c = -1 }
local newtat, fresh = {}, {}
local reply = { 1, -1, -1 }
for i = 1, n do
  local kind = kinds[i]
  local limit = limits[i]
  local key = KEYS[i]
  if kind == 'g' then
    local period = p1[i]
    local cost = p2[i]
    local interval = period / limit
    local tat = tonumber(redis.call('GET', key) or now)
    if tat < now then tat = now end
    local nt = tat + cost * interval
    if nt - period > now then
      return { 0, i, math.ceil(nt - period - now), math.ceil((tat - now) / interval), limit }
    end
    newtat[i] = nt
    reply[#reply + 1] = math.floor((period - (nt - now)) / interval)
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
        reserved = reserved - tonumber(string.match(member, '^(%d+):'))
      end
      redis.call('ZREMRANGEBYSCORE', rkey, '-inf', now)
      redis.call('HSET', key, 'reserved', reserved)
    end
    local remaining = limit - used - reserved
    if remaining <= 0 or remaining < p2[i] then
      return { 0, i, math.max(0, p3[i] - now), used + reserved, limit }
    end
    local unit = units[i]
    if grant[unit] < 0 or remaining < grant[unit] then grant[unit] = remaining end
    -- No reservation outstanding: the sorted set is new (and the hash too when it has no counters yet).
    if reserved == 0 then fresh[i] = counters[1] == false and 2 or 1 end
  end
end
for i = 1, n do
  local kind = kinds[i]
  local key = KEYS[i]
  if kind == 'g' then
    redis.call('SET', key, newtat[i], 'PX', math.ceil(newtat[i] - now) + 1)
  elseif kind == 'c' then
    redis.call('ZADD', key, now + ttl, id)
    redis.call('PEXPIRE', key, ttl)
  else
    local amount = math.min(p1[i], grant[units[i]])
    local rkey = key .. ':r'
    redis.call('HINCRBY', key, 'reserved', amount)
    -- %d: plain digits, as the gateway writes the amount (Lua's own number format would turn 1e14 into '1e+14').
    redis.call('ZADD', rkey, now + ttl, string.format('%d', amount) .. ':' .. id)
    if fresh[i] then
      local expires = p3[i] + retention
      redis.call('PEXPIREAT', rkey, expires)
      if fresh[i] == 2 then redis.call('PEXPIREAT', key, expires) end
    end
  end
end
reply[2] = grant.t
reply[3] = grant.c
return reply
`;
