"""Points of the first outside review that live in the shared kernel: client address behind
proxies, the demo mailbox, uploads never served unscanned, ZIP bombs and nested archives,
and the settings that refuse to start production without what it needs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from espace.core.models import DemoEmail
from espace.core.net import client_ip, is_loopback
from espace.core.uploads import ScanStatus, is_downloadable, scan_explanation, upload_check

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.9", "6.6.6.6", "10.0.0.9"),  # no proxy: the header is the client's own words
        (1, "10.0.0.9", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.9", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged left part is ignored
        (2, "10.0.0.9", "6.6.6.6, 203.0.113.7, 10.0.0.8", "203.0.113.7"),
        (1, "10.0.0.9", "", "10.0.0.9"),  # direct connection to the proxy's host
        (1, "10.0.0.9", "pas-une-adresse", "10.0.0.9"),
        (1, "10.0.0.9", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, hops, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_per_ip_login_limit_and_audit_follow_the_forwarded_address(client, settings):
    from espace.core.models import AuditEvent

    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_IP_FAILURES_LIMIT = 3
    for _ in range(3):
        client.post(
            "/connexion/",
            {"username": "x", "password": "y"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    blocked = client.post(
        "/connexion/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert blocked.status_code == 429
    # Another client behind the same proxy is not blocked.
    other = client.post(
        "/connexion/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 400


@pytest.mark.django_db
def test_demo_mailbox_answers_only_this_machine(client, settings):
    settings.DEBUG = True
    settings.EMAIL_HOST = ""
    email = DemoEmail.objects.create(from_email="a@b", to="c@d", subject="Réinitialisation", body="lien")
    assert client.get("/demo/courriels/", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/demo/courriels/", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/demo/courriels/", REMOTE_ADDR="192.168.1.20").status_code == 404
    assert client.get(f"/demo/courriels/{email.public_id}/", REMOTE_ADDR="192.168.1.20").status_code == 404
    assert "Boîte aux lettres" not in client.get("/", REMOTE_ADDR="192.168.1.20").content.decode()
    assert is_loopback(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1"))


def test_only_clean_files_are_ever_served():
    assert is_downloadable(ScanStatus.CLEAN)
    for status in (ScanStatus.PENDING, ScanStatus.NOT_SCANNED, ScanStatus.INFECTED):
        assert not is_downloadable(status)
        assert scan_explanation(status)


def test_unscanned_upload_is_kept_closed_when_clamd_is_not_configured(settings):
    settings.CLAMD_HOST = ""
    settings.CLAMD_SOCKET = ""
    checked = upload_check(SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert checked.scan_status == ScanStatus.NOT_SCANNED and not is_downloadable(checked.scan_status)


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_sizes_are_counted_as_decompressed_not_as_declared(settings, monkeypatch):
    monkeypatch.setattr("espace.core.uploads.ZIP_MAX_UNCOMPRESSED", 5 * 1024 * 1024)
    bomb = bytearray(_zip({"zeros.txt": b"\0" * (6 * 1024 * 1024)}))
    # Lie in the central directory: declare a tiny uncompressed size.
    directory = bomb.rfind(b"PK\x01\x02")
    bomb[directory + 24 : directory + 28] = (100).to_bytes(4, "little")
    local = bomb.find(b"PK\x03\x04")
    bomb[local + 22 : local + 26] = (100).to_bytes(4, "little")
    # zipfile trusts the declared size, then the CRC check fails: refused, never accepted.
    with pytest.raises(ValidationError, match="illisible"):
        upload_check(SimpleUploadedFile("bombe.zip", bytes(bomb)))
    honest = _zip({"zeros.txt": b"\0" * (6 * 1024 * 1024)})
    assert len(honest) < 64 * 1024  # a few kilobytes that unpack to 6 MB
    with pytest.raises(ValidationError, match="trop volumineuse"):
        upload_check(SimpleUploadedFile("bombe.zip", honest))
    small = _zip({"a.txt": b"bonjour"})
    assert upload_check(SimpleUploadedFile("ok.zip", small)).mime_type == "application/zip"


def test_nested_archives_are_refused_by_content_and_by_name():
    inner = _zip({"a.txt": b"bonjour"})
    with pytest.raises(ValidationError, match="contient une autre archive"):
        upload_check(SimpleUploadedFile("double.zip", _zip({"cache.dat": inner})))
    with pytest.raises(ValidationError, match="contient une autre archive"):
        upload_check(SimpleUploadedFile("double.zip", _zip({"photos.7z": b"7z\xbc\xaf\x27\x1c" + b"\0" * 30})))


def _start_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60,
        "EMAIL_HOST": "smtp.example.org",
        "CLAMD_HOST": "127.0.0.1",
        "ALLOWED_HOSTS": "prets.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **overrides,
    }
    env = {k: v for k, v in env.items() if v != "<unset>"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY"), ("EMAIL_HOST", "EMAIL_HOST"), ("CLAMD_HOST", "CLAMD_HOST")],
)
def test_production_refuses_to_start_without_what_it_needs(missing, message):
    assert _start_settings().stdout.strip() == "ok"
    result = _start_settings(**{missing: "<unset>"})
    assert result.returncode != 0 and message in result.stderr


def test_site_url_follows_host_and_port():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup(); print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DEBUG": "1",
            "PORT": "8123",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "http://localhost:8123"


def test_operator_commands_work_as_printed_after_make_run(tmp_path):
    """`make run` writes var/run.env; manage.py reads it, so `manage.py export_letters …` needs nothing set by hand."""
    base = {"PATH": os.environ.get("PATH", ""), "ESPACE_RUN_ENV": str(tmp_path / "absent.env")}
    command = [sys.executable, "manage.py", "check"]
    without = subprocess.run(command, cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert without.returncode != 0 and "SECRET_KEY" in without.stderr
    run_env = tmp_path / "run.env"
    run_env.write_text("DEBUG=1\nHOST=127.0.0.1\nPORT=8123\n")
    with_file = subprocess.run(
        command, cwd=ROOT, env={**base, "ESPACE_RUN_ENV": str(run_env)}, capture_output=True, text=True, timeout=60
    )
    assert with_file.returncode == 0, with_file.stderr


@pytest.mark.django_db
def test_captcha_difficulty_is_a_setting(client, settings):
    settings.ALTCHA_MAX_NUMBER = 123_456
    challenge = client.get("/captcha/challenge/").json()
    assert challenge["maxNumber"] == 123_456


def test_lender_name_is_never_hard_coded():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("espace", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and "Caisse des Dépôts" in path.read_text(errors="ignore")
    ]
    assert offenders == []


@pytest.mark.django_db
def test_no_empty_aria_describedby_and_legal_pages_from_settings(client, settings):
    settings.LEGAL_PUBLICATION_DIRECTOR = "Mme Directrice Exemple"
    settings.LEGAL_HOST_NAME = "Hébergeur Exemple SAS"
    for url in ("/", "/connexion/", "/inscription/etape-1/", "/contact/", "/mentions-legales/", "/accessibilite/"):
        assert 'aria-describedby=""' not in client.get(url).content.decode(), url
    legal = client.get("/mentions-legales/").content.decode()
    assert "Mme Directrice Exemple" in legal and "Hébergeur Exemple SAS" in legal
    statement = client.get("/accessibilite/").content.decode().replace("&#x27;", "'")
    for required in ("non conforme", "Défenseur des droits", "Non-conformités connues", "Date", "axe-core"):
        assert required in statement


@pytest.mark.django_db
def test_pending_banner_links_to_the_filtered_list(client):
    from espace.accounts.enums import UserStatus
    from tests.accounts.factories import UserFactory

    admin = UserFactory(admin=True)
    UserFactory(establishment=admin.establishment, status=UserStatus.AWAITING_ADMIN)
    client.force_login(admin)
    assert 'href="/administration/utilisateurs/?status=awaiting_admin"' in client.get("/espace/").content.decode()


@pytest.mark.django_db
def test_technical_administration_link_only_for_staff_who_may_open_it(staff_factory, admin_user):
    from django.test import Client

    from tests.conftest import verified_login

    agent = Client()
    verified_login(agent, staff_factory("Assistance"))
    page = agent.get("/back-office/").content.decode()
    assert "Administration technique" not in page and "Back-office du prêteur" in page
    superuser = Client()
    verified_login(superuser, admin_user)
    assert "Administration technique" in superuser.get("/back-office/").content.decode()


@pytest.mark.django_db
def test_main_menu_marks_the_current_section(client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get("/mon-compte/habilitations/").content.decode()
    assert '<a class="nav-link" href="/mon-compte/" aria-current="page">Mon compte</a>' in html
    assert 'aria-label="Fil d\'Ariane"' in html or "Fil d&#x27;Ariane" in html


@pytest.mark.django_db
def test_registration_shows_the_shared_step_indicator(client):
    html = client.get("/inscription/etape-1/").content.decode()
    assert 'class="ep-stepper"' in html and 'aria-current="step"' in html and "Numéro client" in html


SESSION_PROBE = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.core.cache import cache\n"
    "cache.set('espace-probe', 'lu', 30)\n"
    "print(settings.SESSION_ENGINE, cache.get('espace-probe'))\n"
)


def test_sessions_are_read_through_redis_when_it_is_configured():
    redis_url = os.environ.get("REDIS_TEST_URL")
    if not redis_url:
        pytest.fail("REDIS_TEST_URL manquant : lancez `make test`, qui démarre Redis.")
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    with_redis = subprocess.run(
        [sys.executable, "-c", SESSION_PROBE],
        cwd=ROOT,
        env={**env, "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_redis.stdout.split() == ["django.contrib.sessions.backends.cached_db", "lu"], with_redis.stderr
    without = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert without.stdout.strip() == "django.contrib.sessions.backends.db", without.stderr
