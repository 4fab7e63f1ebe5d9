"""The replica router's decisions (espace.core.replica), without a database (outside any
transaction, as a request is); tests/deploy/test_replica.py proves them on a real streaming replica."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from espace.accounts.models import User
from espace.core import replica
from espace.core.replica import PIN_COOKIE, PrimaryReplicaRouter, ReplicaMiddleware, reads_from_replica
from espace.loan_requests.models import LoanRequest
from espace.portfolio.models import FinancingLine

router = PrimaryReplicaRouter()


@pytest.fixture
def configured(monkeypatch, settings):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    settings.DATABASE_REPLICA_PIN_SECONDS = 10


def test_without_a_replica_the_middleware_is_not_even_in_the_chain(settings):
    assert "replica" not in settings.DATABASES
    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: HttpResponse())


def test_writes_and_migrations_only_ever_go_to_the_primary(configured):
    replica._replica_allowed.set(True)
    try:
        for model in (LoanRequest, FinancingLine, User):
            assert router.db_for_write(model) == "default"
        assert router.allow_migrate("default", "portfolio") is True
        assert router.allow_migrate("replica", "portfolio") is False
    finally:
        replica._replica_allowed.set(False)
        replica._wrote.set(False)


def test_reads_go_to_the_replica_only_for_domain_data_in_a_marked_view_before_any_write(configured, monkeypatch):
    assert router.db_for_read(FinancingLine) == "default"  # outside a marked view
    replica._replica_allowed.set(True)
    try:
        assert router.db_for_read(FinancingLine) == "replica"
        assert router.db_for_read(User) == "default"  # who may see what is always read current
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert router.db_for_read(FinancingLine) == "default"  # a transaction reads what it locks
        monkeypatch.setattr(connections["default"], "in_atomic_block", False)
        router.db_for_write(User)  # bookkeeping (last login, audit…) does not pin
        assert router.db_for_read(LoanRequest) == "replica"
        router.db_for_write(LoanRequest)
        assert router.db_for_read(LoanRequest) == "default"  # the request reads its own write
    finally:
        replica._replica_allowed.set(False)
        replica._wrote.set(False)


def marked_view(request):
    return HttpResponse(router.db_for_read(FinancingLine))


@reads_from_replica
def replica_view(request):
    return HttpResponse(router.db_for_read(FinancingLine))


def writing_view(request):
    router.db_for_write(LoanRequest)
    return HttpResponse(router.db_for_read(LoanRequest))


@reads_from_replica
def export_view(request):
    return StreamingHttpResponse(router.db_for_read(FinancingLine) for _ in range(2))


def serve(view, request):
    middleware = ReplicaMiddleware(lambda r: middleware.process_view(r, view, (), {}) or view(r))
    return middleware(request)


def test_the_middleware_opens_the_replica_to_marked_gets_and_pins_a_browser_that_wrote(configured):
    factory = RequestFactory()
    assert serve(marked_view, factory.get("/")).content == b"default"
    assert serve(replica_view, factory.get("/")).content == b"replica"
    assert serve(replica_view, factory.post("/")).content == b"default"
    assert serve(marked_view, factory.get("/api/v1/loans")).content == b"replica"
    streamed = serve(export_view, factory.get("/"))
    assert b"".join(streamed.streaming_content) == b"replicareplica"  # read while it is sent
    assert router.db_for_read(FinancingLine) == "default"  # and closed again after

    wrote = serve(writing_view, factory.post("/"))
    assert wrote.content == b"default" and wrote.cookies[PIN_COOKIE]["max-age"] == 10
    assert PIN_COOKIE not in serve(replica_view, factory.post("/")).cookies  # a POST that wrote nothing
    pinned = factory.get("/", HTTP_COOKIE=f"{PIN_COOKIE}=1")
    assert serve(replica_view, pinned).content == b"default"


def test_a_request_reading_the_primary_sees_every_change_and_positions_compare_as_numbers(configured):
    assert replica.replica_holds("FF/0") is True  # outside a marked view: the primary
    replica._replica_allowed.set(True)
    try:
        router.db_for_write(LoanRequest)
        assert replica.replica_holds("FF/0") is True  # a request that wrote reads the primary
    finally:
        replica._replica_allowed.set(False)
        replica._wrote.set(False)
    assert replica.wal_position_order("1/0") > replica.wal_position_order("0/FFFFFFFF")
    assert replica.wal_position_order("16/B374D848") == (0x16 << 32) + 0xB374D848
