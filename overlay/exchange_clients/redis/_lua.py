"""The server-side steps, each one atomic: Redis runs a script start to end with nothing in between.

Times come from the Redis server's own clock (``TIME``), so processes on machines whose clocks disagree still
share one notion of when a window ends or a penalty lifts. Lua numbers are doubles, exact only below 2^53: a
nanosecond nonce (about 1.8e18) is kept as a decimal string and raised by ``INCR`` (64-bit, on the server),
never by Lua arithmetic; times in seconds (about 1.8e9, microseconds) fit a double and are written with
``%.6f``, since Lua's own number-to-text keeps only 14 digits.
"""

from __future__ import annotations

__all__ = ["ACQUIRE", "NONCE", "PENALIZE", "RELEASE"]

NONCE = """
-- KEYS[1]: the key's last nonce. ARGV[1]: the caller's clock in ns. Returns max(last + 1, server now, caller now).
local function greater(a, b)  -- decimal strings without leading zeros
  if #a ~= #b then return #a > #b end
  return a > b
end
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2])) .. '000'
if greater(ARGV[1], now) then now = ARGV[1] end
local last = redis.call('GET', KEYS[1])
if last and not greater(now, last) then
  redis.call('INCR', KEYS[1])
  return redis.call('GET', KEYS[1])
end
redis.call('SET', KEYS[1], now)
return now
"""

ACQUIRE = """
-- KEYS: the gates (ARGV[1] of them), one counter per charge, then the window entries' sequence.
-- ARGV: the gate count, then per charge: kind ('w' window, 'd' decaying counter), limit or maximum,
-- seconds or decay per second, cost, hold ('1' or '0').
-- Returns false when every charge was taken; otherwise {'penalty' or 'wait', seconds} and takes nothing.
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stamp = string.format('%.6f', now)
local ngates = tonumber(ARGV[1])
local closed = 0
for i = 1, ngates do
  local until_ = tonumber(redis.call('GET', KEYS[i]) or '0')
  if until_ > closed then closed = until_ end
end
if closed > now then return {'penalty', tostring(closed - now)} end
local ncharges = #KEYS - ngates - 1
local charges, levels = {}, {}
local wait = 0
for j = 1, ncharges do
  local a = 2 + (j - 1) * 5
  local c = {key = KEYS[ngates + j], kind = ARGV[a], limit = tonumber(ARGV[a + 1]), span = tonumber(ARGV[a + 2])}
  c.cost = math.min(tonumber(ARGV[a + 3]), c.limit)
  charges[j] = c
  local needed = 0
  if c.kind == 'w' then
    -- An entry stamped s counts in every window containing s: up to, not including, s + span.
    redis.call('ZREMRANGEBYSCORE', c.key, '-inf', string.format('%.6f', now - c.span))
    local entries = redis.call('ZRANGE', c.key, 0, -1, 'WITHSCORES')
    local total = 0
    for k = 1, #entries, 2 do total = total + tonumber(string.match(entries[k], ':(.*)$')) end
    local excess = total + c.cost - c.limit
    if excess > 0 then
      local freed = 0
      needed = tonumber(entries[#entries]) + c.span - now
      for k = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[k], ':(.*)$'))
        if freed >= excess then
          needed = tonumber(entries[k + 1]) + c.span - now
          break
        end
      end
    end
  else
    if levels[c.key] == nil then
      local state = redis.call('HMGET', c.key, 'level', 'stamp')
      local level = tonumber(state[1] or '0')
      local since = tonumber(state[2] or stamp)
      levels[c.key] = math.max(0, level - (now - since) * c.span)
    end
    local excess = levels[c.key] + c.cost - c.limit
    if excess > 1e-9 then needed = excess / c.span end
  end
  if ARGV[a + 4] == '1' and needed > wait then wait = needed end
end
if wait > 0 then return {'wait', tostring(wait)} end
for j = 1, ncharges do
  local c = charges[j]
  if c.kind == 'w' then
    local seq = redis.call('INCR', KEYS[#KEYS])
    redis.call('ZADD', c.key, stamp, seq .. ':' .. c.cost)
    redis.call('PEXPIRE', c.key, math.ceil(c.span * 1000) + 1000)
  else
    levels[c.key] = levels[c.key] + c.cost
    redis.call('HSET', c.key, 'level', tostring(levels[c.key]), 'stamp', stamp)
    redis.call('PEXPIRE', c.key, math.ceil(levels[c.key] / c.span * 1000) + 1000)
  end
end
return false
"""

PENALIZE = """
-- KEYS: gates. ARGV[1]: seconds from now. Closes each gate until then, never shortening a longer penalty.
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds = tonumber(ARGV[1])
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') < now + seconds then
    redis.call('SET', KEYS[i], string.format('%.6f', now + seconds), 'PX', math.ceil(seconds * 1000) + 1000)
  end
end
return #KEYS
"""

RELEASE = """
-- KEYS[1]: a lock. ARGV[1]: the holder's token. Deletes the lock only if it is still this holder's.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
