from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import AuditAction
from espace.core.antivirus import scan_bytes
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue, email_send_now, retry_delay
from espace.core.models import AuditEvent
from espace.core.pdf import pdf_page_count, render_pdf
from espace.core.throttle import throttle_count, throttle_hit

pytestmark = pytest.mark.django_db

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_health_says_database_ok(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_page_is_french_with_login_box_and_registration_link(client):
    response = client.get("/")
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Vous n'avez pas de compte ?" in html and "Inscrivez-vous" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_page_is_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode().replace("&#x27;", "'")


def test_demo_mailbox_does_not_exist_without_debug(client):
    assert client.get("/demo/courriels/").status_code == 404


def test_static_assets_are_served_locally(client):
    html = client.get("/").content.decode().replace("&#x27;", "'")
    assert "https://" not in html.split("<body>")[0]  # no CDN in the head
    assert "/static/vendor/bootstrap.min.css" in html


def test_audit_rows_are_append_only_and_refuse_secrets():
    event = audit_record(action=AuditAction.LOGIN_FAILED, details={"identifier": "x"})
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(ValueError):
        audit_record(action=AuditAction.LOGIN_FAILED, details={"password": "secret"})
    assert AuditEvent.objects.count() == 1


def test_throttle_window_resets_after_its_duration(clock):
    for _ in range(3):
        throttle_hit(key="k", window=timedelta(minutes=10))
    assert throttle_count(key="k", window=timedelta(minutes=10)) == 3
    clock.shift(timedelta(minutes=10, seconds=1))
    assert throttle_count(key="k", window=timedelta(minutes=10)) == 0
    assert throttle_hit(key="k", window=timedelta(minutes=10)) == 1


def test_email_is_sent_by_the_worker_with_text_and_html(run_tasks):
    email_enqueue(
        template="account_activated_self", to=["a@example.org"], context={"first_name": "Léa", "username": "lea"}
    )
    assert mail.outbox == []  # nothing leaves before the worker runs
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Votre compte est activé"
    assert "lea" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_an_email_can_carry_attachments():
    email_send_now(
        template="account_activated_self",
        to=["d@example.org"],
        context={"first_name": "Léa", "username": "lea"},
        attachments=[("avis.pdf", b"%PDF-1.4 test", "application/pdf")],
    )
    message = mail.outbox[0]
    assert message.attachments == [("avis.pdf", b"%PDF-1.4 test", "application/pdf")]
    assert message.alternatives[0][1] == "text/html"  # the HTML part is still there


def test_retry_delay_backs_off_and_is_capped():
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(2) == timedelta(seconds=60)
    assert retry_delay(20) == timedelta(hours=1)


@pytest.mark.smtp
def test_email_survives_an_smtp_outage(smtp_sink, run_tasks, clock):
    """SMTP down for a while: the message is retried with back-off and delivered once it is back."""
    smtp_sink.stop()
    email_enqueue(
        template="account_activated_self", to=["b@example.org"], context={"first_name": "Zoé", "username": "zoe"}
    )
    run_tasks()  # attempt 1 fails: connection refused
    clock.shift(timedelta(seconds=31))
    run_tasks()  # attempt 2 fails
    assert smtp_sink.messages == []
    smtp_sink.start()
    run_tasks()  # attempt 3 not due yet (60 s back-off)
    assert smtp_sink.messages == []
    clock.shift(timedelta(seconds=61))
    run_tasks()
    assert len(smtp_sink.messages) == 1
    assert "zoe" in smtp_sink.texts_to("b@example.org")[0]
    clock.shift(timedelta(hours=2))
    run_tasks()
    assert len(smtp_sink.messages) == 1  # delivered exactly once


def test_pdf_rendering_produces_a_real_pdf():
    data = render_pdf(template="500.html", context={})
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) == 1


def test_clamd_finds_the_eicar_test_signature(settings):
    assert settings.CLAMD_HOST, "make test starts clamd and sets CLAMD_HOST"
    assert scan_bytes(b"an ordinary document").clean
    result = scan_bytes(EICAR)
    assert not result.clean
    assert "Eicar" in result.signature


def test_health_is_one_query(client):
    with CaptureQueriesContext(connection) as queries:
        client.get("/sante/")
    assert len(queries) <= 2


def test_readme_test_command_is_what_ci_runs():
    root = Path(__file__).resolve().parents[2]
    assert "make test" in (root / ".ci" / "run").read_text()
    assert "make test" in (root / "README.md").read_text()


def test_text_emails_are_not_html_escaped(run_tasks, settings):
    settings.LENDER_NAME = "Fonds d'épargne & Cie"
    email_enqueue(
        template="account_activated_self", to=["c@example.org"], context={"first_name": "O'Neil", "username": "x"}
    )
    run_tasks()
    message = mail.outbox[0]
    assert "Bonjour O'Neil" in message.body and "Fonds d'épargne & Cie" in message.body
    assert "O&#x27;Neil" in message.alternatives[0][0]  # the HTML part stays escaped


def test_staff_edit_news_shown_on_the_home_page(admin_client, client):
    from tests.accounts.factories import UserFactory

    response = admin_client.post(
        "/gestion/core/newsitem/add/", {"title": "Livret A au 1er février", "body": "Nouveau taux.", "published": "on"}
    )
    assert response.status_code == 302
    client.force_login(UserFactory())
    assert "Livret A au 1er février" in client.get("/espace/").content.decode()
    assert admin_client.get("/gestion/core/auditevent/").status_code == 200


def test_demo_data_loads_twice_and_its_accounts_work(client):
    from django.core.management import call_command
    from django.test import Client

    from espace.accounts.models import User
    from espace.establishments.models import Establishment
    from espace.portfolio.models import Contract, ImportRun
    from espace.portfolio.selectors import dashboard_for

    call_command("load_demo")
    call_command("load_demo")  # idempotent
    assert Establishment.objects.count() == 12
    # The demo portfolio: the OPH's loans, read from the stored summary, unchanged the second time.
    oph = Establishment.objects.get(client_number="287576")
    assert Contract.objects.filter(borrower=oph).count() == 60
    assert dashboard_for(oph).lines >= 140
    assert ImportRun.objects.first().counts["contracts"]["unchanged"] == 63
    # A dossier under instruction and a draft, once each.
    from espace.loan_requests.models import LoanRequest

    requests = LoanRequest.objects.filter(establishment=oph).order_by("created_at")
    assert [(r.status, bool(r.dossier_number)) for r in requests] == [("under_review", True), ("draft", False)]
    assert User.objects.filter(username="pdurand").count() == 1
    # Letters in progress: one sent 12 days ago (a new one may be asked), one new letter asked for.
    from espace.letters.models import Letter, LetterRequest
    from espace.registration.tracking import tracking_status

    lmoreau = User.objects.get(username="lmoreau")
    assert tracking_status(user=lmoreau).new_letter_allowed
    assert Letter.objects.filter(account_holder=lmoreau).count() == 1
    assert LetterRequest.objects.filter(account_holder__username="sgarcia", letter__status="pending").count() == 1
    # An access review due at the OPH, rfontaine (no login for 14 months) proposed for deactivation.
    from espace.members.models import AccessReview

    review = AccessReview.objects.get(establishment__client_number="287576")
    assert review.is_open and [i.user.username for i in review.items.filter(inactive=True)] == ["rfontaine"]
    # Notifications: the demo documents and instalments told once, however many loads.
    from espace.notifications.models import Notification

    assert Notification.objects.filter(user__username="pdurand", kind="new_document").exists()
    assert Notification.objects.filter(
        user__username="vdupont", user__notification_preference__delivery="digest"
    ).exists()
    assert client.post("/connexion/", {"username": "pdurand", "password": "Fonds-Epargne-2026"}).status_code == 302
    staff = Client()
    response = staff.post("/back-office/connexion/", {"username": "assistance", "password": "Fonds-Epargne-2026"})
    assert response["Location"] == "/back-office/connexion/verification/"
    assert staff.post("/back-office/connexion/verification/", {"token": "demo0001"}).status_code == 302
    assert staff.get("/back-office/").status_code == 200
    from espace.documents.models import Document, Resource

    assert Document.objects.filter(establishment__client_number="287576").count() >= 1
    assert Resource.objects.count() == 2  # a re-load adds nothing
    reader = Client()
    reader.force_login(User.objects.get(username="pdurand"))
    assert "Bienvenue dans votre espace client" in reader.get("/documents/").content.decode()


def test_an_application_error_lands_on_its_field_or_above_the_form():
    from django import forms

    from espace.core.exceptions import ApplicationError

    class AmountForm(forms.Form):
        amount = forms.CharField(required=False)

    form = AmountForm({"amount": "12"})
    assert form.is_valid()
    ApplicationError("Montant trop élevé.", field="amount").add_to(form)
    ApplicationError("Le dossier a été envoyé entre-temps.", field="not_in_this_form").add_to(form)
    ApplicationError("Action refusée.").add_to(form)
    assert form.errors["amount"] == ["Montant trop élevé."]
    assert form.non_field_errors() == ["Le dossier a été envoyé entre-temps.", "Action refusée."]
