"""« Mes notifications » and the unsubscribe link, in Chromium with axe at 1280 and 375 px."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission
from espace.notifications.enums import NotificationKind
from espace.notifications.models import NotificationPreference
from espace.notifications.services import Message, notify
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_chooses_notifications_then_unsubscribes_from_the_email(page: Page, new_page, run_tasks, a11y):
    user = UserFactory(
        username="vdupont",
        first_name="Valérie",
        email="vdupont@example.org",
        permissions=[Permission.VIEW_DOCUMENTS, Permission.VIEW_PORTFOLIO, Permission.VIEW_DOSSIERS],
    )
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("vdupont")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    a11y.check(page)
    page.goto("/mon-compte/")
    a11y.check(page)
    page.get_by_role("link", name="Mes notifications").click()
    expect(page.get_by_role("heading", name="Mes notifications")).to_be_visible()
    expect(page.get_by_label("Une demande de prêt attend ma validation")).to_have_count(0)
    a11y.check(page)
    page.get_by_label("Le statut d'un dossier a changé").uncheck()
    page.get_by_label("Un seul courriel par jour, qui les résume").check()
    screenshot(page, "80-mes-notifications")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos préférences de notification sont enregistrées.")).to_be_visible()
    expect(page.get_by_label("Le statut d'un dossier a changé")).not_to_be_checked()
    a11y.check(page)
    preference = NotificationPreference.objects.get(user=user)
    assert preference.disabled_kinds == ["dossier_status"] and preference.delivery == "digest"

    # Back to one e-mail each; a new document arrives; its e-mail's link unsubscribes, no login.
    preference.delivery = "immediate"
    preference.save()
    notify(
        users=[user],
        kind=NotificationKind.NEW_DOCUMENT,
        key="e2e:doc",
        message=Message(
            template="notification_new_document",
            context={
                "title": "Avis d'échéance",
                "kind": "avis d'échéance",
                "issued_on": "1 mars 2027",
                "establishment_name": "OPH",
                "library_path": "/documents/",
            },
            summary="Nouveau document : Avis d'échéance",
            link_path="/documents/",
        ),
    )
    run_tasks()
    body = next(m.body for m in mail.outbox if m.to == ["vdupont@example.org"])
    path = re.search(r"https?://[^/\s]+(/notifications/desabonnement/\S+/)", body).group(1)
    visitor = new_page(375)
    visitor.goto(path)
    expect(visitor.get_by_role("button", name="Me désabonner")).to_be_visible()
    a11y.check(visitor)
    screenshot(visitor, "81-desabonnement")
    visitor.get_by_role("button", name="Me désabonner").click()
    expect(visitor.get_by_text("vous ne recevrez plus")).to_be_visible()
    a11y.check(visitor)
    assert "new_document" in NotificationPreference.objects.get(user=user).disabled_kinds
