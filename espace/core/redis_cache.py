"""Django's Redis cache, with one client per connection pool instead of one per operation.

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis` for
every cache call; since redis-py 5 its constructor fills its table of about 170 response callbacks
each time. Every logged-in request makes two cache calls (the session, the user), so that was a
quarter of the logged-in floor's CPU (profiled: 2 × 0.5 ms of 4 ms under cProfile). A `redis.Redis`
is safe to share between threads (it takes a connection from its pool for each command) and the
pool reopens its connections after a fork, so one client per pool is what redis-py recommends.
Everything else (serializer, pools, options, timeouts) is Django's own.

`counter_hit` counts in one round trip on Redis where Django's `add` + `incr` take three (its
`incr` asks EXISTS first).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(servers, *args, **kwargs)
        # With replicas, Django picks a server at random for each read: keep its way then.
        self._single_server = len(servers) == 1
        self._shared: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        client = self._shared.get(write)
        if client is None:
            client = super().get_client(key, write=write)
            if self._single_server:
                self._shared[write] = client
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


def counter_hit(key: str, *, timeout: int, cache: BaseCache | None = None) -> int:
    """Count one hit on the counter `key` of `cache` (the default one when not given; made with
    `timeout` by its first hit) and return the count.

    On Redis, SET NX EX then INCR in one MULTI/EXEC: atomic, shared by every process, one round
    trip. On another cache (the database's: no Redis configured), `add` then `incr`, approximate
    under concurrent hits."""
    cache = caches["default"] if cache is None else cache
    if isinstance(cache, SharedClientRedisCache):
        name = cache.make_and_validate_key(key)
        client: Any = cache._cache.get_client(name, write=True)  # type: ignore[attr-defined]
        pipeline = client.pipeline(transaction=True)
        pipeline.set(name, 0, ex=timeout, nx=True)
        pipeline.incr(name)
        return int(pipeline.execute()[1])
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
