"""The users list, the « fiche d'identité » and the library kept as rendered pages
(espace.core.page_cache): a change of a user, of their second factor or of a document shows at once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.enums import Permission
from espace.core.models import NewsItem
from espace.members.review import access_review_open
from tests.accounts.factories import UserFactory
from tests.documents.factories import DocumentFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_the_users_list_and_a_card_show_each_change_at_once(client):
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True)
    colleague = UserFactory(establishment=establishment, last_name="DURAND")
    client.force_login(admin)
    users = reverse("members:list")
    card = reverse("members:card", args=[colleague.public_id])
    client.get(users), client.get(card)
    assert client.get(users).context is None and client.get(card).context is None  # served
    colleague.last_name = "DUPONT-DURAND"
    colleague.save(update_fields=["last_name"])
    assert "DUPONT-DURAND" in client.get(users).content.decode()
    assert "DUPONT-DURAND" in client.get(card).content.decode()
    # A second factor enrolled by the colleague on their own account.
    assert client.get(card).context is None
    TOTPDevice.objects.create(user=colleague, name="app", confirmed=True)
    assert client.get(card).context["second_factor"].totp
    # A new user of another establishment changes nothing here; one of this establishment shows.
    client.get(users)
    UserFactory(establishment=EstablishmentFactory(), last_name="AILLEURS")
    assert client.get(users).context is None
    UserFactory(establishment=establishment, last_name="NOUVELLE", pending=True)
    assert "NOUVELLE" in client.get(users).content.decode()


def test_a_new_document_is_in_the_library_at_once(client):
    establishment = EstablishmentFactory()
    reader = UserFactory(establishment=establishment, permissions=[Permission.VIEW_DOCUMENTS])
    client.force_login(reader)
    library = reverse("documents:library")
    client.get(library)
    assert client.get(library).context is None
    DocumentFactory(establishment=EstablishmentFactory(), title="Avis d'un autre établissement")
    assert client.get(library).context is None
    DocumentFactory(establishment=establishment, title="Avis d'échéance de mars")
    assert "Avis d&#x27;échéance de mars" in client.get(library).content.decode()


def test_the_home_page_shows_news_a_review_and_a_registration_at_once(client):
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True)
    client.force_login(admin)
    home = reverse("accounts:home")
    client.get(home)
    assert client.get(home).context is None  # served
    NewsItem.objects.create(title="Nouveau taux du Livret A", body="Au 1er février.", published=True)
    assert "Nouveau taux du Livret A" in client.get(home).content.decode()
    access_review_open(establishment=establishment)
    assert "Revue des accès à faire avant le" in client.get(home).content.decode()
    UserFactory(establishment=establishment, pending=True)
    assert "1 inscription en attente de votre validation" in client.get(home).content.decode()


def test_a_user_moved_to_another_establishment_leaves_the_first_one_list(client):
    first, second = EstablishmentFactory(), EstablishmentFactory()
    admin = UserFactory(establishment=first, admin=True)
    moving = UserFactory(establishment=first, last_name="VOYAGEUR")
    client.force_login(admin)
    users = reverse("members:list")
    assert "VOYAGEUR" in client.get(users).content.decode()
    moving = type(moving).objects.get(pk=moving.pk)  # as the admin site reads it
    moving.establishment = second
    moving.save()
    assert "VOYAGEUR" not in client.get(users).content.decode()


def test_a_card_is_each_administrator_own(client):
    establishment = EstablishmentFactory()
    first, second = (UserFactory(establishment=establishment, admin=True) for _ in range(2))
    card = reverse("members:card", args=[first.public_id])
    client.force_login(first)
    assert "Désactiver mon propre compte" in client.get(card).content.decode()
    client.force_login(second)
    assert "Désactiver ce compte" in client.get(card).content.decode()
