"""Notifications each user chooses (issue 24, point 4): once per event, never after the permission
is lost, immediate or in a daily digest, and a signed unsubscribe link that needs no login."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from espace.accounts.enums import Permission, UserStatus
from espace.core import clock as service_clock
from espace.core.models import AuditEvent
from espace.core.uploads import ScanStatus
from espace.documents.enums import DocumentKind
from espace.documents.services import document_store
from espace.notifications.enums import AuditAction, Delivery, NotificationKind, SkipReason
from espace.notifications.models import Notification, NotificationPreference
from espace.notifications.services import Message, digests_send, notify, unsubscribe_token
from espace.portfolio.models import FinancingLine
from espace.portfolio.reminders import instalments_due_notify
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory
from tests.portfolio.factories import LineFactory

pytestmark = pytest.mark.django_db
PREFERENCES = "/mon-compte/notifications/"


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def document_message(title: str = "Avis") -> Message:
    return Message(
        template="notification_new_document",
        context={
            "title": title,
            "kind": "avis",
            "issued_on": "1 janvier 2027",
            "establishment_name": "X",
            "library_path": "/documents/",
        },
        summary=f"Nouveau document : {title}",
        link_path="/documents/",
    )


def test_one_event_is_one_notification_however_often_it_is_recorded(run_tasks):
    reader = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="r@x.org")
    assert (
        notify(users=[reader, reader], kind=NotificationKind.NEW_DOCUMENT, key="doc:1", message=document_message()) == 1
    )
    assert notify(users=[reader], kind=NotificationKind.NEW_DOCUMENT, key="doc:1", message=document_message()) == 0
    run_tasks()
    run_tasks()
    assert len(mails_to("r@x.org")) == 1
    sent = mails_to("r@x.org")[0]
    assert "Ne plus recevoir ce type de notification : http" in sent.body
    assert Notification.objects.get().sent_at is not None


def test_never_after_the_permission_is_lost_or_the_account_is_off(run_tasks):
    lost = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="lost@x.org")
    gone = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="gone@x.org")
    notify(users=[lost, gone], kind=NotificationKind.NEW_DOCUMENT, key="doc:2", message=document_message())
    lost.permissions = [Permission.VIEW_PORTFOLIO]
    lost.save()
    gone.status = UserStatus.DEACTIVATED
    gone.save()
    run_tasks()
    assert mails_to("lost@x.org") == [] and mails_to("gone@x.org") == []
    assert set(Notification.objects.values_list("skipped", flat=True)) == {
        SkipReason.PERMISSION_LOST,
        SkipReason.INACTIVE,
    }


def test_preferences_offer_only_entitled_kinds_and_are_honoured(client, run_tasks):
    user = UserFactory(permissions=[Permission.VIEW_DOCUMENTS, Permission.VIEW_PORTFOLIO], email="u@x.org")
    client.force_login(user)
    page = text(client.get(PREFERENCES))
    assert "Un nouveau document est dans notre bibliothèque" in page
    assert "Une échéance arrive dans 30 jours" in page
    assert "attend ma validation" not in page  # no validation permission
    response = client.post(PREFERENCES, {"kinds": ["instalment_due"], "delivery": "immediate"}, follow=True)
    assert "Vos préférences de notification sont enregistrées." in text(response)
    preference = NotificationPreference.objects.get(user=user)
    assert preference.disabled_kinds == ["new_document"]
    assert AuditEvent.objects.filter(action=AuditAction.PREFERENCES_CHANGED, actor=user).exists()
    notify(users=[user], kind=NotificationKind.NEW_DOCUMENT, key="doc:3", message=document_message())
    run_tasks()
    assert mails_to("u@x.org") == []
    bad = client.post(PREFERENCES, {"kinds": ["validation_waiting"], "delivery": "immediate"})
    assert bad.status_code == 400 and "Cette notification n'existe pas pour vous." in text(bad)
    bad = client.post(PREFERENCES, {"kinds": [], "delivery": "hebdo"})
    assert bad.status_code == 400 and "Choisissez un mode d'envoi." in text(bad)


def test_daily_digest_gathers_what_waits(client, run_tasks):
    user = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="d@x.org")
    client.force_login(user)
    client.post(PREFERENCES, {"kinds": ["new_document"], "delivery": "digest"})
    for number in (1, 2):
        notify(
            users=[user],
            kind=NotificationKind.NEW_DOCUMENT,
            key=f"doc:d{number}",
            message=document_message(f"Avis {number}"),
        )
    run_tasks()
    assert mails_to("d@x.org") == []  # waiting for the digest
    call_command("send_notification_digests")
    digest = mails_to("d@x.org")
    assert len(digest) == 1 and "Nouveau document : Avis 1" in digest[0].body and "Avis 2" in digest[0].body
    assert digests_send() == 0  # nothing twice
    assert Notification.objects.filter(digested_at__isnull=False).count() == 2


def test_unsubscribe_link_works_without_login_and_only_on_post(run_tasks):
    user = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="s@x.org")
    notify(users=[user], kind=NotificationKind.NEW_DOCUMENT, key="doc:4", message=document_message())
    run_tasks()
    link = re.search(r"(http\S+/notifications/desabonnement/\S+/)", mails_to("s@x.org")[0].body).group(1)
    path = link.split("//", 1)[1].split("/", 1)[1]
    browser = Client()
    page = browser.get(f"/{path}")
    assert page.status_code == 200 and "Me désabonner" in text(page)
    assert not NotificationPreference.objects.filter(user=user).exists()  # a GET changes nothing
    done = browser.post(f"/{path}")
    assert "vous ne recevrez plus « Un nouveau document est dans notre bibliothèque »" in text(done)
    assert NotificationPreference.objects.get(user=user).disabled_kinds == ["new_document"]
    assert AuditEvent.objects.filter(action=AuditAction.UNSUBSCRIBED, actor=user).exists()
    assert browser.get("/notifications/desabonnement/faux/").status_code == 400
    forged = unsubscribe_token(user, "new_document")[:-2] + "xx"
    assert browser.post(f"/notifications/desabonnement/{forged}/").status_code == 400
    staff = UserFactory(staff=True)
    assert browser.get(f"/notifications/desabonnement/{unsubscribe_token(staff, 'new_document')}/").status_code == 400


def test_the_digest_unsubscribe_turns_everything_off(run_tasks):
    user = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="all@x.org")
    NotificationPreference.objects.create(user=user, delivery=Delivery.DIGEST)
    notify(users=[user], kind=NotificationKind.NEW_DOCUMENT, key="doc:5", message=document_message())
    run_tasks()
    digests_send()
    link = re.search(r"/notifications/desabonnement/\S+/", mails_to("all@x.org")[0].body).group(0)
    Client().post(link)
    assert set(NotificationPreference.objects.get(user=user).disabled_kinds) == set(NotificationKind.values)


def test_new_document_tells_its_establishment_readers_only(run_tasks):
    establishment = EstablishmentFactory()
    reader = UserFactory(establishment=establishment, permissions=[Permission.VIEW_DOCUMENTS], email="reader@x.org")
    UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO], email="no@x.org")
    UserFactory(establishment=EstablishmentFactory(), permissions=[Permission.VIEW_DOCUMENTS], email="other@x.org")
    document_store(
        establishment=establishment,
        kind=DocumentKind.INSTALMENT_NOTICE,
        title="Avis d'échéance du 1er mars",
        issued_on=service_clock.today(),
        content=b"%PDF-1.4 test",
        file_name="avis.pdf",
        source_key="test:notice:1",
    )
    run_tasks()
    assert [m.subject for m in mails_to("reader@x.org")] == [
        "Nouveau document dans votre bibliothèque : Avis d'échéance du 1er mars — Espace Prêts"
    ]
    assert mails_to("no@x.org") == [] and mails_to("other@x.org") == []
    assert Notification.objects.get().user == reader


def test_instalments_due_in_30_days_once_per_establishment_and_date(reference_data, clock, run_tasks):
    borrower = EstablishmentFactory(legal_name="OPH DU SUD")
    UserFactory(establishment=borrower, permissions=[Permission.VIEW_PORTFOLIO], email="v@x.org")
    other = UserFactory(establishment=EstablishmentFactory(), permissions=[Permission.VIEW_PORTFOLIO], email="o@x.org")
    due = service_clock.today() + timedelta(days=20)
    far = service_clock.today() + timedelta(days=45)
    for amount, day in (("1200.50", due), ("800.00", due), ("5000.00", far)):
        line = LineFactory(contract__borrower=borrower)
        FinancingLine.objects.filter(pk=line.pk).update(next_due_date=day, next_instalment=Decimal(amount))
    LineFactory(contract__borrower=other.establishment)
    assert instalments_due_notify() == 1
    assert instalments_due_notify() == 0  # never twice
    run_tasks()
    sent = mails_to("v@x.org")
    assert len(sent) == 1 and "2 000,50 €" in sent[0].body.replace("\xa0", " ") and "2 lignes" in sent[0].body
    assert mails_to("o@x.org") == []
    clock.shift(timedelta(days=20))
    call_command("notify_instalments_due")
    run_tasks()
    assert len(mails_to("v@x.org")) == 2 and "5 000,00 €" in mails_to("v@x.org")[1].body.replace("\xa0", " ")


def test_a_notification_goes_through_real_smtp_with_its_link(smtp_sink, run_tasks):
    reader = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="smtp@x.org")
    notify(users=[reader], kind=NotificationKind.NEW_DOCUMENT, key="doc:smtp", message=document_message("Contrat"))
    run_tasks()
    texts = smtp_sink.texts_to("smtp@x.org")
    assert len(texts) == 1 and "Contrat" in texts[0] and "/notifications/desabonnement/" in texts[0]


def test_what_waited_for_the_digest_is_not_lost_when_the_user_goes_back(clock, run_tasks):
    user = UserFactory(permissions=[Permission.VIEW_DOCUMENTS], email="back@x.org")
    preference = NotificationPreference.objects.create(user=user, delivery=Delivery.DIGEST)
    notify(users=[user], kind=NotificationKind.NEW_DOCUMENT, key="doc:back", message=document_message("Retour"))
    run_tasks()
    preference.delivery = Delivery.IMMEDIATE
    preference.save()
    clock.shift(timedelta(hours=2))
    assert digests_send() == 1
    assert "Retour" in mails_to("back@x.org")[0].body


def test_a_document_kept_for_scanning_is_announced_once_found_clean(run_tasks):
    establishment = EstablishmentFactory()
    UserFactory(establishment=establishment, permissions=[Permission.VIEW_DOCUMENTS], email="scan@x.org")
    document = document_store(
        establishment=establishment,
        kind=DocumentKind.INSTALMENT_NOTICE,
        title="Avis en attente d'analyse",
        issued_on=service_clock.today(),
        content=b"%PDF-1.4 clean",
        file_name="avis.pdf",
        scan_status=ScanStatus.PENDING,
    )
    assert not Notification.objects.exists()  # not openable yet
    run_tasks()  # the rescan task, against the real clamd
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN
    assert [m.subject for m in mails_to("scan@x.org")] == [
        "Nouveau document dans votre bibliothèque : Avis en attente d'analyse — Espace Prêts"
    ]
