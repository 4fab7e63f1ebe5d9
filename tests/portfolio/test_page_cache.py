"""The rendered pages kept under the versions of their data (espace.core.page_cache), on the
portfolio pages: served again without their queries, never stale, never another user's."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from espace.accounts.enums import Permission
from espace.core import page_cache
from espace.core.page_cache import ESTABLISHMENT, page_cache_bump
from espace.portfolio.disbursements import ProposedDisbursement, disbursement_change_request
from espace.portfolio.enums import DisbursementStatus, ImportStatus
from espace.portfolio.services import portfolio_import
from espace.portfolio.summaries import summary_refresh
from espace.products.enums import RateIndex
from espace.products.models import IndexRate
from tests.accounts.factories import UserFactory
from tests.documents.factories import DocumentFactory

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _queries(client: Client, url: str, **params: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response.content


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1", content)


def test_a_page_seen_again_costs_its_session_only_and_is_the_same_page(client, world):
    client.force_login(world.reader)
    url = reverse("portfolio:lines")
    rendered_queries, rendered = _queries(client, url, sort="encours")
    served_queries, served = _queries(client, url, sort="encours")
    assert served_queries == 1 < rendered_queries  # the session; the user is cached
    assert _without_tokens(served) == _without_tokens(rendered)
    assert b"L1000001" in served
    # Another sort is another page.
    other_queries, _other = _queries(client, url, sort="numero")
    assert other_queries > 1


def test_an_htmx_request_is_another_copy_than_the_full_page(client, world):
    """HTMX's headers are in the key: a partial answer is never served for the full page, nor
    the full page for a partial one."""
    client.force_login(world.reader)
    url = reverse("portfolio:lines")
    assert _queries(client, url)[0] > 1  # rendered, then kept
    assert _queries(client, url)[0] == 1
    for headers in ({"HTTP_HX_REQUEST": "true"}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "prets"}):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        assert len(captured) > 1  # not the full page's copy
        with CaptureQueriesContext(connection) as captured:
            client.get(url, **headers)
        assert len(captured) == 1  # its own copy


def test_each_response_carries_the_request_own_csrf_token_which_works(world):
    """The token is the page's one per-request part: never the placeholder, a fresh mask each time,
    accepted by the CSRF check for a form of the copy (logout)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.reader)
    url = reverse("portfolio:dashboard")
    first = client.get(url).content
    second = client.get(url).content
    assert b"ep-csrf-" not in first + second
    tokens = TOKEN.findall(first) + TOKEN.findall(second)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[1].decode()}).status_code == 302
    assert client.get(url).status_code == 302  # logged out: the copy is not served to anyone


def test_an_import_summary_a_rate_a_document_and_a_disbursement_request_renew_the_pages(client, world):
    client.force_login(world.pilot)
    dashboard = reverse("portfolio:dashboard")
    line = reverse("portfolio:line", args=[world.plai.public_id])
    before = client.get(dashboard).context["data"].total_outstanding
    # The dashboard shows the import's summary: a line changes, then the import refreshes it.
    world.plus.outstanding += Decimal("1000.00")
    world.plus.save(update_fields=["outstanding"])
    summary_refresh(world.oph)
    assert client.get(dashboard).context["data"].total_outstanding == before + Decimal("1000.00")
    # A new Livret A rate (shared by every establishment).
    assert client.get(dashboard).context is None  # served
    IndexRate.objects.create(index=RateIndex.LIVRET_A, effective_from=date(2026, 11, 1), rate_percent="1.234")
    assert client.get(dashboard).context["livret_a"].since == date(2026, 11, 1)
    # A document of the line, shown in the loan page's documents panel.
    world.pilot.permissions = [*world.pilot.permissions, Permission.VIEW_DOCUMENTS]
    world.pilot.save()
    client.get(line)
    DocumentFactory(establishment=world.oph, line=world.plai, title="Contrat de prêt signé")
    assert "Contrat de prêt signé" in client.get(line).content.decode()
    # A request to move the disbursements, shown on the loan page.
    planned = list(world.plai.disbursements.filter(status=DisbursementStatus.PLANNED).order_by("planned_on"))
    disbursement_change_request(
        line=world.plai,
        requested_by=world.pilot,
        proposal=[
            ProposedDisbursement(planned[0].pk, date(2027, 1, 15), planned[0].amount),
            *(ProposedDisbursement(item.pk, item.planned_on, item.amount) for item in planned[1:]),
        ],
    )
    assert "attend la décision" in client.get(line).content.decode()


def test_permissions_are_checked_before_the_copy_and_are_in_its_key(client, world):
    client.force_login(world.pilot)
    url = reverse("portfolio:lines")
    client.get(url)
    assert client.get(url).context is None  # served
    world.pilot.first_name = "Gaspard"  # the loans list shows nothing of its reader's name
    world.pilot.save(update_fields=["first_name"])
    assert client.get(url).context is None
    world.pilot.permissions = [Permission.VIEW_PORTFOLIO, Permission.VIEW_DOCUMENTS]  # the menu changes
    world.pilot.save()
    assert client.get(url).context is not None
    # Losing the permission: refused at once, although the page is in the cache.
    world.pilot.permissions = [Permission.MANAGE_DISBURSEMENTS]
    world.pilot.save()
    assert client.get(url).status_code == 403


def test_colleagues_with_the_same_permissions_share_a_copy_and_another_establishment_gets_a_404(client, world):
    line = reverse("portfolio:line", args=[world.plus.public_id])
    client.force_login(world.reader)
    assert client.get(line).status_code == 200
    assert client.get(line).context is None  # now in the cache
    colleague = UserFactory(establishment=world.oph, first_name="Bérénice", permissions=world.reader.permissions)
    client.force_login(colleague)
    assert client.get(line).context is None  # the loan page shows nothing of its reader but permissions
    # The pilot may ask to move disbursements: their page is their permissions' own.
    client.force_login(world.pilot)
    assert client.get(line).context is not None
    stranger = UserFactory(establishment=world.other_oph, permissions=[Permission.VIEW_PORTFOLIO])
    client.force_login(stranger)
    assert client.get(line).status_code == 404


def test_messages_are_shown_once_on_a_page_that_is_in_the_cache(client, world):
    client.force_login(world.mayor_office)
    guaranteed = reverse("portfolio:guaranteed")
    client.get(guaranteed)
    response = client.post(reverse("portfolio:statement_create"), {"year": "2025"}, follow=True)
    message = "2025 est en préparation : il apparaîtra ci-dessous"
    assert message in response.content.decode()
    assert message not in client.get(guaranteed).content.decode()
    # The new statement is listed (its save renewed the commune's pages).
    assert "2025" in client.get(guaranteed).content.decode()


def test_bad_input_is_answered_and_never_kept(client, world):
    client.force_login(world.reader)
    url = reverse("portfolio:lines")
    for _ in range(2):
        response = client.get(url, {"maturity_year": "1800"})
        assert response.status_code == 400 and response.context is not None


def test_a_lost_version_or_a_new_day_renders_the_page_again(client, world, clock):
    client.force_login(world.reader)
    url = reverse("portfolio:dashboard")
    client.get(url)
    assert client.get(url).context is None  # served
    caches["pages"].delete(f"{page_cache.VERSION_PREFIX}portfolio:{world.oph.pk}")
    assert client.get(url).context is not None
    assert client.get(url).context is None
    clock.shift(86400)
    client.force_login(world.reader)  # the session's 12 hours are over
    assert client.get(url).context is not None  # another day's figures
    assert client.get(url).context is None


def test_a_bump_of_another_establishment_keeps_this_one_pages(client, world):
    client.force_login(world.reader)
    url = reverse("portfolio:dashboard")
    client.get(url)
    page_cache_bump(ESTABLISHMENT, [world.other_oph.pk])
    assert client.get(url).context is None
    page_cache_bump(ESTABLISHMENT, [world.oph.pk])
    assert client.get(url).context is not None


def test_a_page_read_from_a_replica_behind_its_latest_change_is_not_kept(client, world, monkeypatch):
    asked = []

    def holds(position):  # the replica's answer: it has not replayed that far yet
        asked.append(position)
        return False

    monkeypatch.setattr(page_cache, "replica_holds", holds)
    client.force_login(world.reader)
    url = reverse("portfolio:dashboard")
    client.get(url)
    assert client.get(url).context is not None
    assert len(asked) == 2  # asked on each miss, before the page is made
    monkeypatch.setattr(page_cache, "replica_holds", lambda position: True)  # it has caught up
    client.get(url)
    assert client.get(url).context is None


def test_a_version_holds_the_primary_position_of_the_change_once_committed(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "wal_position", lambda: "1A/2B3C")
    key = page_cache._version_key("portfolio", 42)
    with django_capture_on_commit_callbacks(execute=True):
        page_cache_bump("portfolio", [42])
        assert caches["pages"].get(key).endswith(":")  # before the commit: not known
    assert caches["pages"].get(key).endswith(":1A/2B3C")
    # The latest position of a page's scopes; none when one of them does not know its own.
    found = {"a": "t1:1A/2B3C", "b": "t2:1B/0", "c": "t3:9/FFFFFFFF"}
    assert page_cache._versions(["a", "b", "c"], dict(found)) == (["t1", "t2", "t3"], "1B/0")
    assert page_cache._versions(["a", "d"], {"a": "t1:1A/2B3C", "d": "t4:"})[1] is None


def test_no_page_cache_when_it_is_turned_off(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(world.reader)
    url = reverse("portfolio:dashboard")
    client.get(url)
    assert client.get(url).context is not None


def test_a_url_with_parameters_the_page_does_not_know_is_rendered_and_never_kept(client, world):
    client.force_login(world.reader)
    url = reverse("portfolio:lines")
    for _ in range(2):
        assert client.get(url, {"utm": "1", "sort": "encours"}).context is not None
    # Its known parameters, in any order: one page.
    client.get(url, {"sort": "encours", "status": "repayment"})
    assert client.get(f"{url}?status=repayment&sort=encours").context is None


def test_an_unreachable_cache_renders_the_page(client, world, settings):
    client.force_login(world.reader)
    broken = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={**settings.CACHES, "pages": broken}):
        response = client.get(reverse("portfolio:dashboard"))
    assert response.status_code == 200 and response.context["data"] is not None


def test_a_guarantor_renamed_shows_on_the_borrower_pages(client, world):
    client.force_login(world.reader)
    url = reverse("portfolio:line", args=[world.plus.public_id])
    client.get(url)
    assert client.get(url).context is None
    world.commune.legal_name = "COMMUNE NOUVELLE DE VILLEBOIS-LES-PINS"
    world.commune.save()
    assert "COMMUNE NOUVELLE DE VILLEBOIS-LES-PINS" in client.get(url).content.decode()
    # Another change of the commune (not its name) keeps the borrower's pages.
    world.commune.refresh_from_db()
    world.commune.session_idle_minutes = 20
    world.commune.save()
    assert client.get(url).context is None


def test_every_import_even_a_failed_one_renews_the_portfolio_pages(client, world, tmp_path):
    client.force_login(world.reader)
    url = reverse("portfolio:lines")
    client.get(url)
    assert client.get(url).context is None
    run = portfolio_import(directory=tmp_path / "nothing-here")
    assert run.status == ImportStatus.FAILED
    assert client.get(url).context is not None
