"""Fault: the SMTP server is down for five minutes while 200 e-mails of the real kinds are queued.

Real SMTP server (aiosmtpd, stopped then started), the real worker loop, the services that
enqueue the mails; the five minutes pass on the clock. Nothing is lost, nothing is sent twice,
the codes mailed after the outage work, and a registration that lapsed meanwhile is told so.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.http import urlsafe_base64_decode
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from espace.accounts.models import EmailChange, User
from espace.accounts.services import email_change_start, password_reset_request
from espace.core import clock as service_clock
from espace.core.enums import AuditAction
from espace.core.models import AuditEvent
from espace.core.origin import Origin, origin_scope
from espace.letters.models import Letter
from espace.registration.models import Registration
from espace.registration.services import registration_complete, registration_send_code, registration_verify_code
from tests.accounts.factories import PASSWORD, UserFactory
from tests.registration.factories import RegistrationFactory

pytestmark = [pytest.mark.faults, pytest.mark.smtp, pytest.mark.django_db]

CODES, RESETS, LETTER_NOTICES = 90, 90, 20
RESENT, LAPSING = range(0, 5), range(5, 10)  # registrations that ask again / lapse during the outage


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def pending_tasks() -> int:
    return DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).count()


def test_two_hundred_mails_survive_a_five_minute_smtp_outage(smtp_sink, run_tasks, clock, settings):
    smtp_sink.stop()

    registrations = [RegistrationFactory(username=f"code{i:03d}") for i in range(CODES)]
    for index in LAPSING:  # started 1 h 58 ago: the registration ends two minutes into the outage
        Registration.objects.filter(pk=registrations[index].pk).update(
            expires_at=registrations[index].expires_at - timedelta(hours=1, minutes=58)
        )
    for registration in registrations:
        registration_send_code(registration=registration)
    resets = [UserFactory(username=f"oubli{i:03d}") for i in range(RESETS)]
    for i, user in enumerate(resets):
        with origin_scope(Origin(ip=f"10.1.{i // 200}.{i % 200}")):  # each from its own address
            password_reset_request(identifier_or_email=user.username)
    first_users = [RegistrationFactory(username=f"premier{i:03d}", verified=True) for i in range(LETTER_NOTICES)]
    for registration in first_users:
        registration_complete(registration=registration)  # the notice « code par courrier » + the letter task

    # Five minutes of outage: the worker keeps trying, every try fails, every mail stays queued.
    for step in range(10):
        run_tasks()
        if step == 2:  # a minute and a half in, five people press « renvoyer le code »
            for index in RESENT:
                registration_send_code(registration=registrations[index])
        clock.shift(timedelta(seconds=30))
    assert smtp_sink.messages == []
    assert pending_tasks() == CODES + RESETS + LETTER_NOTICES  # the superseded code requests ended unsent
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()
    failed_tries = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, return_value=False).count()
    assert failed_tries >= 3 * (CODES + RESETS + LETTER_NOTICES)  # tried again and again, with back-off
    assert Letter.objects.count() == LETTER_NOTICES  # letters go by post: the outage does not stop them

    smtp_sink.start()
    for _round in range(6):  # the longest back-off after five minutes is four minutes
        clock.shift(timedelta(minutes=2))
        run_tasks()
    assert pending_tasks() == 0
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EMAIL_GIVEN_UP).exists()

    # 200 mails, each delivered exactly once.
    sent = Counter((message["To"], subject(message)) for message in smtp_sink.messages)
    assert len(smtp_sink.messages) == CODES + RESETS + LETTER_NOTICES == 200
    assert max(sent.values()) == 1, [key for key, count in sent.items() if count > 1]

    for index, registration in enumerate(registrations):
        texts = smtp_sink.texts_to(registration.email)
        assert len(texts) == 1, (registration.username, texts)
        if index in LAPSING:
            assert "a expiré avant que nous puissions vous envoyer le code" in texts[0]
            assert "/inscription/" in texts[0]
            continue
        code = re.search(r"^\s+(\d{4})\s*$", texts[0], re.MULTILINE).group(1)
        assert "valable 15 minutes, jusqu'à" in texts[0]
        # Mailed after the outage, the code (the only one, even for those who asked twice) works.
        assert registration_verify_code(registration=registration, code=code) is None, registration.username
    for user in resets:
        (text,) = smtp_sink.texts_to(user.email)
        uidb64, token = re.search(r"/mot-de-passe-oublie/([^/]+)/([^/\s]+)/", text).groups()
        assert urlsafe_base64_decode(uidb64).decode() == str(user.pk)
        assert default_token_generator.check_token(User.objects.get(pk=user.pk), token)
    for registration in first_users:
        (text,) = smtp_sink.texts_to(registration.email)
        assert "courrier postal" in text
        assert Letter.objects.filter(account_holder__username=registration.username).count() == 1


def test_a_mail_given_up_after_the_last_attempt_is_failed_and_audited(smtp_sink, run_tasks, clock, settings):
    settings.EMAIL_RETRY_MAX_ATTEMPTS = 2
    smtp_sink.stop()
    user = UserFactory(username="abandon")
    password_reset_request(identifier_or_email="abandon")
    run_tasks()
    clock.shift(timedelta(minutes=1))
    run_tasks()
    assert pending_tasks() == 0
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "ConnectionRefusedError" in failed.traceback
    event = AuditEvent.objects.get(action=AuditAction.EMAIL_GIVEN_UP)
    assert event.details["user_id"] == user.pk and event.details["attempts"] == 2
    assert "refused" in event.details["error"].lower()


def test_an_email_change_that_lapses_during_the_outage_is_told_so_once(smtp_sink, run_tasks, clock):
    smtp_sink.stop()
    lapsing, replaced = UserFactory(username="lente"), UserFactory(username="changeante")
    email_change_start(user=lapsing, new_email="lente-nouvelle@example.org", password=PASSWORD)
    EmailChange.objects.filter(user=lapsing).update(expires_at=service_clock.now() + timedelta(minutes=3))
    email_change_start(user=replaced, new_email="premiere@example.org", password=PASSWORD)
    run_tasks()
    clock.shift(timedelta(minutes=2))
    # The second user changes their mind: a new request voids the first (whose task is still queued).
    email_change_start(user=replaced, new_email="seconde@example.org", password=PASSWORD)
    for _step in range(8):
        clock.shift(timedelta(seconds=30))
        run_tasks()
    smtp_sink.start()
    for _round in range(6):
        clock.shift(timedelta(minutes=2))
        run_tasks()
    (told,) = smtp_sink.texts_to("lente-nouvelle@example.org")
    assert "a expiré avant que nous puissions vous envoyer le code" in told and "/mon-compte/adresse-e-mail/" in told
    assert smtp_sink.texts_to("premiere@example.org") == []  # replaced: neither a code nor an expiry notice
    (code_mail,) = smtp_sink.texts_to("seconde@example.org")
    assert "valable 15 minutes, jusqu'à" in code_mail
    assert len(smtp_sink.messages) == 2
