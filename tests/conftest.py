from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.cache import cache, caches
from django_tasks_db.management.commands.db_worker import Worker

from tests.servicedb import _migrated_database, service_database  # noqa: F401 — fixtures of every suite


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database rolls back between tests (and SQLite
    gives a rolled-back primary key again), the in-memory cache would not."""
    cache.clear()
    caches["pages"].clear()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """`collectstatic` with the production settings (hashed, compressed names), once per run, as a
    deployment does at build time: the STATIC_ROOT of every gunicorn the tests start with DEBUG=0."""
    root = tmp_path_factory.mktemp("static")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(root),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_HOST": "127.0.0.1",
        "CLAMD_HOST": "127.0.0.1",
        "STATIC_ROOT": str(root),
        "ESPACE_RUN_ENV": str(root / "none.env"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return root


@pytest.fixture(scope="session")
def object_store_server(tmp_path_factory):
    """One S3-compatible server (moto_server on 127.0.0.1) for the whole run, started when first asked."""
    from tests.objectstore import object_store

    with object_store(tmp_path_factory.mktemp("objectstore") / "moto_server.log") as store:
        yield store


@pytest.fixture
def s3_bucket(object_store_server, settings, monkeypatch) -> str:
    """The service's files go to a new private bucket of the test object store, configured as in
    production (config.storage.s3_storage from the same variables); returns the bucket's name."""
    from config.storage import s3_storage

    bucket = object_store_server.bucket_create()
    variables = object_store_server.env(bucket)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):  # boto3's credential chain reads them
        monkeypatch.setenv(name, variables[name])
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(variables)}
    settings.MEDIA_ROOT = "/nonexistent-media-root"  # nothing may fall back to the local disk
    return bucket


@pytest.fixture
def run_tasks(monkeypatch) -> Callable[[], None]:
    """Run every task that is due, as the worker would, then return.

    The worker closes stale connections between tasks; inside a test's transaction that
    would close the test's own connection, so that housekeeping is turned off here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run() -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Move time for the service (and the task queue) without sleeping."""
    with time_machine.travel("2026-11-23 09:00:00+01:00", tick=False) as traveller:
        yield traveller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpSink:
    """A real SMTP server on localhost that keeps what it receives."""

    port: int
    messages: list[Message] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def texts_to(self, address: str) -> list[str]:
        found = []
        for message in self.messages:
            if address in message.get("To", ""):
                for part in message.walk():
                    if part.get_content_type() == "text/plain":
                        found.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
        return found


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=_free_port())
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


def verified_login(client, user) -> None:
    """Log a staff member in as if they had passed the back office's second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def admin_client(admin_user):
    """A superuser past the second factor (the admin site requires it), in a browser of its own."""
    from django.test import Client

    staff_browser = Client()
    verified_login(staff_browser, admin_user)
    return staff_browser


@pytest.fixture
def staff_factory(db):
    """Staff members holding one of the back-office roles (groups made by the migration)."""
    from django.contrib.auth.models import Group

    from espace.accounts.models import User
    from espace.backoffice.roles import staff_roles_ensure
    from tests.accounts.factories import UserFactory

    staff_roles_ensure()  # transactional tests flush the groups the migration made

    def make(role: str | None = "Assistance", username: str = "agent") -> User:
        user = UserFactory(
            staff=True,
            username=username,
            email=f"{username}@lender.example.org",
            first_name="Agent",
            last_name="Assistance",
            password="Agent-Pass-2026!",
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def reference_data(db):
    """The product table and the Livret A, as their migration loads them (transactional tests
    flush the database between tests, data migrations included)."""
    from espace.products.data_load import livret_a_load, products_load
    from espace.products.models import IndexRate, Product

    products_load(Product)
    livret_a_load(IndexRate)
