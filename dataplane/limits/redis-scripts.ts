// The Lua scripts of the Redis limit store. One EVALSHA per phase (admit, reconcile): atomic across every
// replica that shares the Redis, which is what makes limits exact instead of multiplied by the replica count.
// Numbers stay integers (Redis truncates Lua floats in replies).

/**
 * KEYS[i]: the key of check i. ARGV: now_ms, request_id, reservation_ttl_ms, n, then 6 values per check:
 *   gcra:   'g', limit, period_ms, cost, -, -
 *   conc:   'c', limit, -, -, -, -
 *   budget: 'b', limit, amount, min_amount, ends_at_ms, unit ('t' | 'c')
 * Reply: {1, granted_tokens|-1, granted_cost|-1, remaining_1, reset_1, ...} or {0, failed_index, retry_ms, used, limit}.
 */
export const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local ttl = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local retention = ${35 * 24 * 3600 * 1000}
local grant = { t = -1, c = -1 }
local newtat = {}
local state = {}
for i = 1, n do
  local b = 4 + (i - 1) * 6
  local kind = ARGV[b + 1]
  local limit = tonumber(ARGV[b + 2])
  local key = KEYS[i]
  state[2 * i - 1] = -1
  state[2 * i] = -1
  if kind == 'g' then
    local period = tonumber(ARGV[b + 3])
    local cost = tonumber(ARGV[b + 4])
    local interval = period / limit
    local tat = tonumber(redis.call('GET', key) or now)
    if tat < now then tat = now end
    local nt = tat + cost * interval
    if nt - period > now then
      return { 0, i, math.ceil(nt - period - now), math.ceil((tat - now) / interval), limit }
    end
    newtat[i] = nt
    state[2 * i - 1] = math.floor((period - (nt - now)) / interval)
    state[2 * i] = math.ceil(nt - now)
  elseif kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local count = redis.call('ZCARD', key)
    if count >= limit then return { 0, i, 1000, count, limit } end
  else
    local rkey = key .. ':r'
    local akey = key .. ':a'
    local reserved = tonumber(redis.call('HGET', key, 'reserved') or '0')
    local expired = redis.call('ZRANGEBYSCORE', rkey, '-inf', now)
    if #expired > 0 then
      for _, rid in ipairs(expired) do
        reserved = reserved - tonumber(redis.call('HGET', akey, rid) or '0')
        redis.call('HDEL', akey, rid)
      end
      redis.call('ZREMRANGEBYSCORE', rkey, '-inf', now)
      redis.call('HSET', key, 'reserved', reserved)
    end
    local used = tonumber(redis.call('HGET', key, 'used') or '0')
    local remaining = limit - used - reserved
    local minimum = tonumber(ARGV[b + 4])
    if remaining <= 0 or remaining < minimum then
      return { 0, i, math.max(0, tonumber(ARGV[b + 5]) - now), used + reserved, limit }
    end
    local unit = ARGV[b + 6]
    if grant[unit] < 0 or remaining < grant[unit] then grant[unit] = remaining end
  end
end
for i = 1, n do
  local b = 4 + (i - 1) * 6
  local kind = ARGV[b + 1]
  local key = KEYS[i]
  if kind == 'g' then
    redis.call('SET', key, newtat[i], 'PX', math.ceil(newtat[i] - now) + 1)
  elseif kind == 'c' then
    redis.call('ZADD', key, now + ttl, id)
    redis.call('PEXPIRE', key, ttl)
  else
    local unit = ARGV[b + 6]
    local amount = math.min(tonumber(ARGV[b + 3]), grant[unit])
    local expires = tonumber(ARGV[b + 5]) + retention
    redis.call('HINCRBY', key, 'reserved', amount)
    redis.call('HSET', key .. ':a', id, amount)
    redis.call('ZADD', key .. ':r', now + ttl, id)
    redis.call('PEXPIREAT', key, expires)
    redis.call('PEXPIREAT', key .. ':a', expires)
    redis.call('PEXPIREAT', key .. ':r', expires)
  end
end
local reply = { 1, grant.t, grant.c }
for i = 1, 2 * n do reply[3 + i] = state[i] end
return reply
`;

/**
 * KEYS[i]: the key of check i. ARGV: now_ms, request_id, actual_tokens, actual_cost, reserved_tokens, n, then
 * 3 values per check: kind ('g' | 'c' | 'b'), limit, period_ms|unit. gcra request checks are passed as 'r'
 * (nothing to give back).
 */
export const RECONCILE_SCRIPT = `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local tokens = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local reservedTokens = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
for i = 1, n do
  local b = 6 + (i - 1) * 3
  local kind = ARGV[b + 1]
  local key = KEYS[i]
  if kind == 'g' then
    local limit = tonumber(ARGV[b + 2])
    local period = tonumber(ARGV[b + 3])
    local tat = tonumber(redis.call('GET', key) or '0')
    if tat > 0 then
      local nt = tat + (tokens - reservedTokens) * (period / limit)
      if nt > now then redis.call('SET', key, nt, 'PX', math.ceil(nt - now) + 1) else redis.call('DEL', key) end
    end
  elseif kind == 'c' then
    redis.call('ZREM', key, id)
  elseif kind == 'b' then
    local akey = key .. ':a'
    local amount = redis.call('HGET', akey, id)
    if amount then
      redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
      redis.call('HDEL', akey, id)
      redis.call('ZREM', key .. ':r', id)
    end
    if ARGV[b + 3] == 't' then redis.call('HINCRBY', key, 'used', tokens) else redis.call('HINCRBY', key, 'used', cost) end
  end
end
return 1
`;
