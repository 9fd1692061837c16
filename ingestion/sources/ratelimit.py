"""Request budgets (N requests per sliding window) shared by all processes through Redis, per process without it."""

import logging
import threading
import time
import uuid
from dataclasses import dataclass

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

# KEYS[1]: sorted set of granted request times; ARGV[1]: the request's token. Moves the request's time to now,
# when its answer came: the server saw it at some point between grant and answer.
_DONE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return tostring(now)
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


@dataclass(frozen=True)
class Slot:
    """One granted request: its token in the budget and when (time.monotonic()) the grant was asked for."""

    token: str
    asked_at: float


class RateBudgetError(RuntimeError):
    """The shared budget's store (Redis) cannot be reached."""


class RateBudget:
    """At most `limit` requests in any `window` seconds; `acquire()` blocks until a slot is free.

    A request's slot is dated from its grant until `done()` re-dates it to when its answer came: the
    server counted it somewhere in between, so spacing grants by the window from the later time keeps
    the server's count within the limit however late each request reached it.
    """

    def __init__(self, name: str, limit: int, window: float, margin: float = 0.0):
        if limit < 1 or window <= 0:
            raise ValueError(f"rate budget {name}: limit and window must be positive (got {limit}, {window})")
        self.name = name
        self.limit = limit
        self.window = window
        # A little extra spacing against clock and network jitter.
        self.effective_window = window * (1.0 + margin)
        self.margin_seconds = window * margin

    def acquire(self) -> Slot:
        """Wait for a free slot and take it (give it to `done()` when the answer came)."""
        token = uuid.uuid4().hex
        while True:
            asked_at = time.monotonic()  # no later than the store's clock at the grant
            wait = self._try_acquire(token)
            if wait <= 0:
                return Slot(token, asked_at)
            time.sleep(wait + 0.0005)

    def done(self, slot: Slot, skip_within_margin: bool = True) -> None:
        """Date the slot to now, when the request's answer (or failure) came.

        An answer that came within the margin of the grant is left dated at its grant: the margin already
        covers it, and the shared store is spared a round trip.
        """
        if skip_within_margin and time.monotonic() - slot.asked_at <= self.margin_seconds:
            return
        self._redate(slot.token)

    def _redate(self, token: str) -> None:
        raise NotImplementedError

    def pause(self, seconds: float) -> None:
        """Make every user of this budget wait `seconds` (the server said Retry-After)."""
        raise NotImplementedError

    def _try_acquire(self, token: str) -> float:
        raise NotImplementedError


class LocalRateBudget(RateBudget):
    """A budget kept in this process only (no Redis configured)."""

    def __init__(self, name: str, limit: int, window: float, margin: float = 0.0):
        super().__init__(name, limit, window, margin)
        self._lock = threading.Lock()
        self._granted: dict[str, float] = {}
        self._paused_until = 0.0

    def _try_acquire(self, token: str) -> float:
        with self._lock:
            now = time.monotonic()
            if self._paused_until > now:
                return self._paused_until - now
            for old, at in list(self._granted.items()):
                if at <= now - self.effective_window:
                    del self._granted[old]
            if len(self._granted) < self.limit:
                self._granted[token] = now
                return 0.0
            return min(self._granted.values()) + self.effective_window - now

    def _redate(self, token: str) -> None:
        with self._lock:
            if token in self._granted:
                self._granted[token] = time.monotonic()

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
        self._done_script = self._redis.register_script(_DONE_LUA)
        self._redis_url = redis_url

    def _call(self, script, keys, args):
        import redis

        try:
            return script(keys=keys, args=args)
        except redis.RedisError as error:
            raise RateBudgetError(f"rate budget {self.name}: Redis at {self._redis_url} failed: {error}") from error

    def _try_acquire(self, token: str) -> float:
        answer = self._call(
            self._acquire_script, [self._log_key, self._pause_key], [self.limit, repr(self.effective_window), token]
        )
        return float(answer)

    def _redate(self, token: str) -> None:
        self._call(self._done_script, [self._log_key], [token])

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
