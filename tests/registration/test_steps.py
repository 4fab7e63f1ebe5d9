"""The wizard's step lives on the registration: its services move it, the screens follow it."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError
from django.test import Client

from espace.accounts.enums import UserStatus
from espace.core.exceptions import ApplicationError
from espace.core.origin import Origin, origin_scope
from espace.registration.enums import RegistrationKind, RegistrationStep
from espace.registration.models import Registration
from espace.registration.services import (
    TooManyTriesError,
    first_user_reopen,
    registration_complete,
    registration_continue_as_member,
    registration_identity_try,
    registration_number_try,
    registration_set_member_details,
)
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import last_code, to_code_step
from tests.establishments.factories import EstablishmentFactory
from tests.registration.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _to_code_step(client, establishment) -> Registration:
    to_code_step(client, establishment)
    return Registration.objects.get(username="pdurand")


def test_the_registration_holds_its_step_from_the_code_to_done(client, run_tasks):
    registration = _to_code_step(client, EstablishmentFactory())
    assert registration.step == RegistrationStep.CODE
    run_tasks()
    assert (
        client.post("/inscription/code/", {"code": last_code("p@example.org")})["Location"] == "/inscription/terminee/"
    )
    registration.refresh_from_db()
    assert registration.step == RegistrationStep.DONE
    assert client.get("/inscription/code/")["Location"] == "/inscription/terminee/"


def test_the_screens_follow_a_step_moved_by_the_services(client):
    """The session names the registration only: a step moved elsewhere moves the screens."""
    registration = _to_code_step(client, EstablishmentFactory())
    registration_continue_as_member(registration=registration)
    registration.refresh_from_db()
    assert (registration.kind, registration.step) == (RegistrationKind.MEMBER, RegistrationStep.MEMBER_DETAILS)
    assert client.get("/inscription/code/")["Location"] == "/inscription/complement/"
    assert client.get("/inscription/complement/").status_code == 200
    assert client.get("/inscription/terminee/")["Location"] == "/inscription/etape-1/"


def test_transitions_go_forward_only():
    registration = RegistrationFactory(verified=True)
    registration_complete(registration=registration)
    registration.refresh_from_db()
    assert registration.step == RegistrationStep.DONE
    registration_continue_as_member(registration=registration)  # too late: nothing moves
    registration.refresh_from_db()
    assert (registration.kind, registration.step) == (RegistrationKind.ADMINISTRATOR, RegistrationStep.DONE)
    member = RegistrationFactory(member=True, verified=True)
    registration_continue_as_member(registration=member)
    registration_set_member_details(
        registration=member, password="Bleu-Ciel-2026", password_confirmation="Bleu-Ciel-2026", requested_permissions=[]
    )
    registration_complete(registration=member)
    member.refresh_from_db()
    assert member.step == RegistrationStep.DONE


def test_a_registration_never_holds_a_step_before_it_exists():
    registration = RegistrationFactory()
    with pytest.raises(IntegrityError):
        Registration.objects.filter(pk=registration.pk).update(step=RegistrationStep.TERMS)


def test_the_migration_reads_the_step_back_from_each_row():
    done = RegistrationFactory(verified=True)
    registration_complete(registration=done)
    overtaken = RegistrationFactory(kind=RegistrationKind.MEMBER)
    waiting = RegistrationFactory(member=True)
    Registration.objects.update(step=RegistrationStep.CODE)
    import_module("espace.registration.migrations.0003_step").steps_from_rows(apps, None)
    steps = dict(Registration.objects.values_list("pk", "step"))
    assert steps == {
        done.pk: RegistrationStep.DONE,
        overtaken.pk: RegistrationStep.MEMBER_DETAILS,
        waiting.pk: RegistrationStep.CODE,
    }


def test_client_number_tries_are_limited_per_address(settings):
    settings.REGISTRATION_IP_LIMIT = 2
    with origin_scope(Origin(ip="10.0.0.1")):
        registration_number_try()
        registration_number_try()
        with pytest.raises(TooManyTriesError):
            registration_number_try()
    with origin_scope(Origin(ip="10.0.0.2")):
        registration_number_try()


def test_identity_tries_are_limited_per_registration_and_per_address(settings):
    settings.REGISTRATION_IDENTITY_TRIES = 3
    settings.REGISTRATION_IDENTITY_IP_LIMIT = 4
    with origin_scope(Origin(ip="10.0.0.1")):
        registration_identity_try(tries=3)
        with pytest.raises(TooManyTriesError):
            registration_identity_try(tries=4)
        registration_identity_try(tries=1)
        registration_identity_try(tries=1)
        with pytest.raises(TooManyTriesError):
            registration_identity_try(tries=1)  # the 5th from this address


def test_reopen_refuses_once_another_administrator_exists():
    establishment = EstablishmentFactory()
    lapsed = UserFactory(establishment=establishment, status=UserStatus.LAPSED)
    UserFactory(establishment=establishment, admin=True)
    with pytest.raises(ApplicationError, match="Un autre administrateur"):
        first_user_reopen(user=lapsed)


def test_reopen_gives_a_lapsed_first_user_a_new_letter(run_tasks):
    lapsed = UserFactory(establishment=EstablishmentFactory(), status=UserStatus.LAPSED)
    letter = first_user_reopen(user=lapsed)
    lapsed.refresh_from_db()
    assert lapsed.status == UserStatus.AWAITING_ACTIVATION
    assert letter.code_expires_at == lapsed.temporary_code_expires_at


def test_a_second_browser_cannot_skip_to_a_step(client):
    _to_code_step(client, EstablishmentFactory())
    other = Client()
    assert other.get("/inscription/code/")["Location"] == "/inscription/etape-1/"
