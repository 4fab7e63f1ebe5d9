"""Production smoke test: the built service starts as it would be deployed and serves its pages.

collectstatic with DEBUG=0 (hashed, compressed files), then gunicorn on config.wsgi with the
production settings, on PostgreSQL when the suite runs on it (a database of its own), else on
a temporary SQLite file. Pages and a static file answer 200 with the security headers.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest
from django.conf import settings

from tests.serving import ROOT, gunicorn

pytestmark = pytest.mark.production


def _database_url(tmp_path: Path) -> Iterator[str]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'smoke.sqlite3'}"
        return
    import psycopg

    name = f"espace_smoke_{secrets.token_hex(4)}"
    admin = f"host={database['HOST']} port={database['PORT']} user={database['USER']} dbname=postgres"
    if database.get("PASSWORD"):
        admin += f" password={database['PASSWORD']}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
        yield f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production_server(tmp_path: Path, collected_static: Path) -> Iterator[str]:
    for database_url in _database_url(tmp_path):
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "prets.example.org,127.0.0.1",
            "EMAIL_HOST": "127.0.0.1",
            "CLAMD_HOST": "127.0.0.1",
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(collected_static),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "ESPACE_RUN_ENV": str(tmp_path / "none.env"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["createcachetable"],
        ):
            done = subprocess.run([*manage, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
        with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as (base, _server):
            yield base


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    # The proxy in front says the client spoke HTTPS (SECURE_PROXY_SSL_HEADER), as in production.
    request = urllib.request.Request(url, headers={"Host": "prets.example.org", "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_built_service_serves_pages_and_static_files_with_security_headers(production_server):
    pages = {"/": "Connexion", "/connexion/": "Identifiant", "/inscription/etape-1/": "Numéro client"}
    stylesheet = ""
    for path, expected in pages.items():
        status, headers, body = fetch(production_server + path)
        html = body.decode()
        assert status == 200, (path, status, html[:500])
        assert expected in html
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        stylesheet = stylesheet or re.search(r'href="(/static/vendor/bootstrap\.min\.[0-9a-f]{12}\.css)"', html).group(
            1
        )
    status, headers, body = fetch(production_server + stylesheet)
    assert status == 200 and body.startswith(b'@charset "UTF-8"')
    assert "immutable" in headers.get("Cache-Control", "")  # hashed name: cached for good
    # Plain HTTP is redirected to HTTPS.
    plain = urllib.request.Request(production_server + "/", headers={"Host": "prets.example.org"})
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(HTTPError) as redirect:
        opener.open(plain, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://prets.example.org/")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_built_service_serves_the_api_documentation_from_its_own_static_files(production_server):
    status, headers, body = fetch(production_server + "/api/v1/docs")
    html = body.decode()
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        asset_status, _headers, _body = fetch(production_server + asset)
        assert asset_status == 200, asset
    assert re.search(r'src="/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js"', html)
    status, headers, body = fetch(production_server + "/api/v1/loans")
    assert status == 401 and headers["Content-Type"] == "application/json"
