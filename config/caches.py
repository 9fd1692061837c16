"""Build Django's CACHES entry: Redis when REDIS_URL is set (an accelerator the service runs without), else local."""

import environ


def cache_from_env(env: environ.Env, redis_url: str) -> dict:
    """The default cache: Redis at `redis_url` with short socket timeouts and its errors ignored (a read misses, a
    write is dropped, both logged), so an unreachable Redis fails no request; else the process's memory."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT_SECONDS", default=1.0),
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
