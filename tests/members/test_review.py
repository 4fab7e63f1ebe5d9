"""« Revue des accès » (issue 24, point 3): opened every 6 months, one screen, suspension after 30
days, 12-month inactivity proposals, journal and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.core import clock as service_clock
from espace.core.models import AuditEvent
from espace.members.enums import AuditAction, ReviewDecision
from espace.members.models import AccessReview
from espace.members.review import access_review_open, access_reviews_due, access_reviews_run
from tests.accounts.factories import PASSWORD, UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db
REVIEW = "/administration/revue-des-acces/"


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


@pytest.fixture
def team(clock):
    """An establishment with an administrator, two users (one not seen for 13 months) and a
    pending registration (not reviewed)."""
    establishment = EstablishmentFactory(legal_name="OPH DU LAC")
    now = service_clock.now()
    admin = UserFactory(establishment=establishment, admin=True, first_name="Anne", last_name="Admin", email="a@x.org")
    active = UserFactory(
        establishment=establishment,
        first_name="Bruno",
        last_name="Actif",
        permissions=[Permission.VIEW_PORTFOLIO],
        last_login=now - timedelta(days=20),
        email="b@x.org",
    )
    asleep = UserFactory(
        establishment=establishment,
        first_name="=Cécile",
        last_name="Dormante",
        permissions=[Permission.VIEW_DOCUMENTS],
        last_login=now - timedelta(days=400),
        email="c@x.org",
    )
    UserFactory(establishment=establishment, status=UserStatus.AWAITING_ADMIN)
    return establishment, admin, active, asleep


def admin_browser(admin) -> Client:
    browser = Client()
    browser.force_login(admin)
    return browser


def test_review_is_due_every_interval_and_opens_with_emails_and_home_prompt(team, clock, run_tasks):
    establishment, admin, active, asleep = team
    User.objects.filter(establishment=establishment).update(date_joined=service_clock.now() - timedelta(days=10))
    assert establishment not in access_reviews_due()  # too young for a first review
    clock.shift(timedelta(days=190))
    assert access_reviews_due() == [establishment]
    call_command("review_accesses")
    review = AccessReview.objects.get(establishment=establishment)
    assert {item.user_id for item in review.items.all()} == {admin.pk, active.pk, asleep.pk}
    assert [item.user_id for item in review.items.filter(inactive=True)] == [asleep.pk]
    assert access_reviews_due() == []  # open: not twice
    run_tasks()
    opened = [m for m in mail.outbox if m.to == ["a@x.org"] and "Revue des accès" in m.subject]
    assert opened and "1 utilisateur ne s'est pas connecté depuis 12 mois : sa désactivation" in opened[0].body
    home = text(admin_browser(admin).get("/espace/"))
    assert "Revue des accès à faire avant le" in home
    assert "Revue des accès à faire" not in text(admin_browser(active).get("/espace/"))
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVIEW_OPENED, establishment=establishment).exists()
    # Completed today: the next one is due an interval later, not before.
    access_reviews_run()
    assert AccessReview.objects.count() == 1


def test_one_screen_keeps_or_deactivates_each_user(team, run_tasks):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    browser = admin_browser(admin)
    page = text(browser.get(REVIEW))
    assert "aucune connexion depuis 12 mois : désactivation proposée" in page
    item = {i.user_id: i.pk for i in review.items.all()}
    # The proposal is preselected.
    assert re.search(rf'id="deactivate-{item[asleep.pk]}" value="deactivated" checked', page)
    assert re.search(rf'id="keep-{item[active.pk]}" value="kept" checked', page)
    missing = browser.post(REVIEW, {f"decision-{item[admin.pk]}": "kept", f"decision-{item[active.pk]}": "kept"})
    assert missing.status_code == 400 and "Choisissez « Conserver » ou « Désactiver » pour =Cécile Dormante" in text(
        missing
    )
    response = browser.post(
        REVIEW,
        {
            f"decision-{item[admin.pk]}": "kept",
            f"decision-{item[active.pk]}": "kept",
            f"decision-{item[asleep.pk]}": "deactivated",
        },
        follow=True,
    )
    assert "Revue des accès terminée : 3 utilisateur(s) revu(s), 1 désactivé(s)." in text(response)
    asleep.refresh_from_db()
    active.refresh_from_db()
    assert asleep.status == UserStatus.DEACTIVATED and "Revue des accès" in asleep.deactivation_reason
    assert active.status == UserStatus.ACTIVE
    review.refresh_from_db()
    assert review.completed_by == admin and not review.is_open
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVIEW_COMPLETED, actor=admin).exists()
    assert "Revue des accès à faire" not in text(browser.get("/espace/"))
    run_tasks()
    assert any("désactivé" in m.subject for m in mail.outbox if m.to == ["c@x.org"])
    again = browser.post(REVIEW, {f"decision-{item[active.pk]}": "kept"})
    assert again.status_code == 400 and "Aucune revue des accès n'est en cours" in text(again)


def test_a_change_on_the_card_counts_as_the_decision(team):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    browser = admin_browser(admin)
    browser.post(
        f"/administration/utilisateurs/{active.public_id}/", {"permissions": ["view_portfolio", "view_documents"]}
    )
    assert review.items.get(user=active).decision == ReviewDecision.CHANGED
    page = text(browser.get(REVIEW))
    assert "Habilitations modifiées" in page
    item = {i.user_id: i.pk for i in review.items.all()}
    browser.post(REVIEW, {f"decision-{item[admin.pk]}": "kept", f"decision-{item[asleep.pk]}": "kept"})
    review.refresh_from_db()
    assert review.completed_at is not None
    assert review.items.get(user=active).decision == ReviewDecision.CHANGED


def test_the_last_administrator_cannot_be_deactivated_and_nothing_is_half_written(team):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    item = {i.user_id: i.pk for i in review.items.all()}
    response = admin_browser(admin).post(
        REVIEW,
        {
            f"decision-{item[asleep.pk]}": "deactivated",
            f"decision-{item[active.pk]}": "kept",
            f"decision-{item[admin.pk]}": "deactivated",
        },
    )
    assert response.status_code == 400 and "dernier administrateur actif" in text(response)
    asleep.refresh_from_db()
    assert asleep.status == UserStatus.ACTIVE  # rolled back with the rest
    assert review.items.exclude(decision="").count() == 0
    assert AccessReview.objects.get(pk=review.pk).is_open


def test_unconfirmed_users_are_suspended_after_thirty_days(team, clock, run_tasks):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    clock.shift(timedelta(days=24))
    assert access_reviews_run().reminded == 1
    assert access_reviews_run().reminded == 0  # once
    clock.shift(timedelta(days=7))
    run = access_reviews_run()
    assert run.closed == 1 and run.suspended == 2
    for user in (active, asleep):
        user.refresh_from_db()
        assert user.status == UserStatus.DEACTIVATED and user.deactivation_reason.startswith("Suspendu")
    admin.refresh_from_db()
    assert admin.status == UserStatus.ACTIVE  # who can still put things right
    review.refresh_from_db()
    assert review.closed_at is not None and review.items.get(user=active).decision == ReviewDecision.SUSPENDED
    run_tasks()
    assert any("suspendu" in m.subject for m in mail.outbox if m.to == ["b@x.org"])
    closed = [m for m in mail.outbox if m.to == ["a@x.org"] and "Revue des accès close" in m.subject]
    assert closed and "Bruno Actif" in closed[0].body
    rappel = [m for m in mail.outbox if m.to == ["a@x.org"] and m.subject.startswith("Rappel")]
    assert rappel and "3 utilisateurs restent à confirmer" in rappel[0].body
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_SUSPENDED).count() == 2
    # Suspended, not deleted: the administrator reactivates from the card.
    admin_browser(admin).post(f"/administration/utilisateurs/{active.public_id}/reactiver/")
    active.refresh_from_db()
    assert active.status == UserStatus.ACTIVE
    login = Client().post("/connexion/", {"username": asleep.username, "password": PASSWORD})
    assert "désactivé" in text(login)


def test_csv_export_for_the_auditors(team):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    item = {i.user_id: i.pk for i in review.items.all()}
    browser = admin_browser(admin)
    browser.post(
        REVIEW,
        {
            f"decision-{item[admin.pk]}": "kept",
            f"decision-{item[active.pk]}": "kept",
            f"decision-{item[asleep.pk]}": "deactivated",
        },
    )
    assert f"/administration/revue-des-acces/{review.public_id}/export.csv" in text(browser.get(REVIEW))
    response = browser.get(f"/administration/revue-des-acces/{review.public_id}/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "nom"
    by_name = {row[0]: row for row in rows[2:]}
    assert by_name["Dormante"][1] == "'=Cécile"  # never a spreadsheet formula
    assert by_name["Dormante"][5] == "oui" and by_name["Dormante"][6] == "désactivé"
    assert by_name["Actif"][3] == "Consultation des Encours" and by_name["Actif"][6] == "conservé"


def test_other_establishments_and_non_administrators_are_refused(team):
    establishment, _admin, active, _asleep = team
    review = access_review_open(establishment=establishment)
    item = review.items.get(user=active)
    other_admin = UserFactory(establishment=EstablishmentFactory(), admin=True)
    outsider = admin_browser(other_admin)
    assert outsider.get(f"/administration/revue-des-acces/{review.public_id}/export.csv").status_code == 404
    page = text(outsider.get(REVIEW))
    assert "Bruno Actif" not in page and "Aucune revue des accès n'est en cours" in page
    assert outsider.post(REVIEW, {f"decision-{item.pk}": "deactivated"}).status_code == 400
    assert admin_browser(active).get(REVIEW).status_code == 403
    assert (
        admin_browser(active).get(f"/administration/revue-des-acces/{review.public_id}/export.csv").status_code == 403
    )
    active.refresh_from_db()
    assert active.status == UserStatus.ACTIVE and review.items.get(pk=item.pk).decision == ""


def test_bad_decisions_get_a_french_400(team):
    establishment, admin, active, asleep = team
    review = access_review_open(establishment=establishment)
    item = {i.user_id: i.pk for i in review.items.all()}
    response = admin_browser(admin).post(
        REVIEW,
        {
            f"decision-{item[admin.pk]}": "supprimer",
            f"decision-{item[active.pk]}": "kept",
            f"decision-{item[asleep.pk]}": "kept",
            "decision-x": "kept",
            "decision-999999": "kept",
        },
    )
    assert response.status_code == 400 and "Choisissez « Conserver » ou « Désactiver » pour Anne Admin" in text(
        response
    )
    assert AccessReview.objects.get(pk=review.pk).is_open
