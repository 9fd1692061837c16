"""Request budgets (N requests per sliding window) shared by all processes through Redis, per process without it."""

import logging
import threading
import time
import uuid
from collections import deque

from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1]: sorted set of granted request times; KEYS[2]: time until which everyone pauses (after a 429).
# ARGV: limit, window seconds. Answers "0" when a slot was granted, else the seconds to wait.
# Redis' own clock is used, so every process measures the window the same way.
_ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return tostring(paused - now) end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""

# KEYS[1]: pause key; ARGV[1]: seconds. Extends (never shortens) the pause everyone observes.
_PAUSE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return tostring(until_)
"""


class RateBudgetError(RuntimeError):
    """The shared budget's store (Redis) cannot be reached."""


class RateBudget:
    """At most `limit` requests in any `window` seconds; `acquire()` blocks until a slot is free."""

    def __init__(self, name: str, limit: int, window: float, margin: float = 0.0):
        if limit < 1 or window <= 0:
            raise ValueError(f"rate budget {name}: limit and window must be positive (got {limit}, {window})")
        self.name = name
        self.limit = limit
        self.window = window
        # A little extra spacing so that network jitter never makes the server see one request too many.
        self.effective_window = window * (1.0 + margin)

    def acquire(self) -> float:
        """Wait for a free slot and take it; answers the seconds spent waiting."""
        started = time.monotonic()
        while True:
            wait = self._try_acquire()
            if wait <= 0:
                return time.monotonic() - started
            time.sleep(wait + 0.0005)

    def pause(self, seconds: float) -> None:
        """Make every user of this budget wait `seconds` (the server said Retry-After)."""
        raise NotImplementedError

    def _try_acquire(self) -> float:
        raise NotImplementedError


class LocalRateBudget(RateBudget):
    """A budget kept in this process only (no Redis configured)."""

    def __init__(self, name: str, limit: int, window: float, margin: float = 0.0):
        super().__init__(name, limit, window, margin)
        self._lock = threading.Lock()
        self._granted: deque[float] = deque()
        self._paused_until = 0.0

    def _try_acquire(self) -> float:
        with self._lock:
            now = time.monotonic()
            if self._paused_until > now:
                return self._paused_until - now
            while self._granted and self._granted[0] <= now - self.effective_window:
                self._granted.popleft()
            if len(self._granted) < self.limit:
                self._granted.append(now)
                return 0.0
            return self._granted[0] + self.effective_window - now

    def pause(self, seconds: float) -> None:
        """Make every user of this budget in this process wait `seconds`."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class RedisRateBudget(RateBudget):
    """A budget shared by every process that uses the same Redis and name."""

    def __init__(self, name: str, limit: int, window: float, margin: float = 0.0, *, redis_url: str, prefix: str):
        super().__init__(name, limit, window, margin)
        import redis

        self._redis = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
        self._log_key = f"{prefix}:{name}:log"
        self._pause_key = f"{prefix}:{name}:pause"
        self._acquire_script = self._redis.register_script(_ACQUIRE_LUA)
        self._pause_script = self._redis.register_script(_PAUSE_LUA)
        self._redis_url = redis_url

    def _call(self, script, keys, args):
        import redis

        try:
            return script(keys=keys, args=args)
        except redis.RedisError as error:
            raise RateBudgetError(f"rate budget {self.name}: Redis at {self._redis_url} failed: {error}") from error

    def _try_acquire(self) -> float:
        nonce = uuid.uuid4().hex
        answer = self._call(
            self._acquire_script, [self._log_key, self._pause_key], [self.limit, repr(self.effective_window), nonce]
        )
        return float(answer)

    def pause(self, seconds: float) -> None:
        """Make every process using this budget wait `seconds`."""
        self._call(self._pause_script, [self._pause_key], [repr(float(seconds))])


_budgets: dict[tuple, RateBudget] = {}
_budgets_lock = threading.Lock()


def rate_budget(name: str, limit: int, window: float) -> RateBudget:
    """The process's budget for `name`: Redis-backed when RATE_LIMIT_REDIS_URL is set, else local."""
    redis_url = getattr(settings, "RATE_LIMIT_REDIS_URL", "") or ""
    margin = float(getattr(settings, "RATE_LIMIT_MARGIN", 0.0))
    prefix = getattr(settings, "RATE_LIMIT_KEY_PREFIX", "marketdata:ratelimit")
    key = (name, limit, float(window), margin, redis_url, prefix)
    with _budgets_lock:
        budget = _budgets.get(key)
        if budget is None:
            if redis_url:
                budget = RedisRateBudget(name, limit, window, margin, redis_url=redis_url, prefix=prefix)
            else:
                logger.debug("rate budget %s is per process: RATE_LIMIT_REDIS_URL is not set", name)
                budget = LocalRateBudget(name, limit, window, margin)
            _budgets[key] = budget
        return budget
