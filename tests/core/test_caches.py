"""The caches the deployment uses: Django's Redis backend with one client per pool (against the
real Redis `make test` starts), and the per-process fragments of the layout."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from espace.core.redis_cache import SharedClientRedisCache, counter_hit
from tests.accounts.factories import UserFactory


@pytest.fixture
def redis_cache():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.fail("REDIS_TEST_URL manquant : lancez `make test`, qui démarre Redis.")
    cache = SharedClientRedisCache(url, {"KEY_PREFIX": "test-caches"})
    yield cache
    cache.clear()


def test_one_client_serves_every_call_and_the_cache_works(redis_cache):
    client = redis_cache._cache.get_client(write=False)
    assert redis_cache._cache.get_client(write=False) is client
    assert redis_cache.add("counter", 1, timeout=60) is True
    assert redis_cache.add("counter", 5, timeout=60) is False
    assert redis_cache.incr("counter") == 2
    redis_cache.set_many({"a": {"établissement": 1}, "b": [1, 2]}, timeout=60)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": {"établissement": 1}, "b": [1, 2]}
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get("a") is None
    assert redis_cache._cache.get_client(write=True) is redis_cache._cache.get_client(write=True)


def test_threads_share_the_client_safely(redis_cache):
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for index in range(50):
                redis_cache.set(f"t{number}-{index}", index, timeout=60)
                assert redis_cache.get(f"t{number}-{index}") == index
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db
def test_the_layout_fragments_follow_the_settings_and_the_permissions(client):
    caches["fragments"].clear()
    user = UserFactory(permissions=[])
    client.force_login(user)
    assert ">Encours<" not in client.get("/espace/").content.decode().split("</nav>")[0]
    with override_settings(ASSISTANCE_PHONE="09 99 99 99 99"):
        assert "09 99 99 99 99" in client.get("/espace/").content.decode()
    other = UserFactory(establishment=user.establishment, permissions=["view_portfolio"])
    client.force_login(other)
    nav = client.get("/espace/").content.decode().split("</nav>")[0]
    assert '<a class="nav-link" href="/encours/">Encours</a>' in nav
    # The current entry is part of the fragment's key: on « Encours », that entry is the current one.
    nav = client.get("/encours/").content.decode().split("</nav>")[0]
    assert '<a class="nav-link" href="/encours/" aria-current="page">Encours</a>' in nav


def test_counter_hit_counts_atomically_in_one_round_trip_with_its_expiry(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    commands: list[object] = []
    execute = client.execute_command
    # Every command a pipeline sends goes in one `execute` of its own; count the client's round trips.
    client.execute_command = lambda *args, **kwargs: commands.append(args) or execute(*args, **kwargs)
    try:
        counts: list[int] = []

        def work() -> None:
            for _ in range(25):
                counts.append(counter_hit("window", timeout=90, cache=redis_cache))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        client.execute_command = execute
    assert sorted(counts) == list(range(1, 101))  # no count lost or repeated
    assert commands == []  # no single command: each hit is one MULTI/EXEC pipeline
    name = redis_cache.make_and_validate_key("window")
    assert 0 < client.ttl(name) <= 90
    assert redis_cache.get("window") == 100  # Django reads the counter back


@pytest.mark.django_db
def test_counter_hit_on_another_cache():  # locmem here, the database table deployed without Redis
    caches["default"].clear()
    assert [counter_hit("window", timeout=60) for _ in range(3)] == [1, 2, 3]
