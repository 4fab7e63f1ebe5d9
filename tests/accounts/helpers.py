from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from espace.core.captcha import TEST_TOKEN


def last_code(address: str) -> str:
    for message in reversed(mail.outbox):
        if address in message.to and "code" in message.subject.lower():
            found = re.search(r"^\s+(\d{4})\s*$", message.body, re.MULTILINE)
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no code sent to {address}")


def start(client: Client, client_number: str) -> None:
    response = client.post("/inscription/etape-1/", {"client_number": client_number, "captcha": TEST_TOKEN})
    assert response.status_code == 302, response.content.decode()[:3000]


def to_code_step(client: Client, establishment) -> None:
    """A first user (CAS 1) up to the screen of the 4-digit code."""
    start(client, establishment.client_number)
    client.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    client.post(
        "/inscription/identite/",
        {"username": "pdurand", "last_name": "Durand", "first_name": "Pierre", "email": "p@example.org"},
    )


def register_admin(client: Client, establishment, run_tasks, username: str = "pdurand", email: str = "p@example.org"):
    start(client, establishment.client_number)
    response = client.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    assert response.status_code == 302
    response = client.post(
        "/inscription/identite/",
        {
            "username": username,
            "last_name": "Durand",
            "first_name": "Pierre",
            "email": email,
            "phone": "01 02 03 04",
            "job_title": "Directeur financier",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run_tasks()
    return client.post("/inscription/code/", {"code": last_code(email)})


MEMBER_PASSWORD = "Val-12345-prets"


def register_member(
    client: Client,
    establishment,
    run_tasks,
    username: str = "vdupont",
    email: str = "v@example.org",
    services: list[str] | None = None,
):
    start(client, establishment.client_number)
    assert client.post("/inscription/etape-2/", {"accept_terms": "on"}).status_code == 302
    response = client.post(
        "/inscription/identite/",
        {
            "username": username,
            "last_name": "Dupont",
            "first_name": "Valérie",
            "email": email,
            "password1": MEMBER_PASSWORD,
            "password2": MEMBER_PASSWORD,
            "services": services if services is not None else ["view_portfolio", "view_documents"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run_tasks()
    return client.post("/inscription/code/", {"code": last_code(email)})
