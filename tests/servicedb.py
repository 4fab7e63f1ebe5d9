"""Tests that run the service in other processes (workers, gunicorn nodes: tests/faults, tests/deploy)
need a database those processes can open: the test database of pytest-django is in memory on SQLite.
Here: one migrated database per session, copied for each test (a file on SQLite, a TEMPLATE copy on
PostgreSQL). The fixtures are registered in tests/conftest.py."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _postgres() -> dict[str, Any] | None:
    database = settings.DATABASES["default"]
    return database if database["ENGINE"] == "django.db.backends.postgresql" else None


def _admin_dsn(database: dict[str, Any], name: str = "postgres") -> str:
    dsn = f"host={database['HOST']} port={database['PORT']} user={database['USER']} dbname={name}"
    return dsn + (f" password={database['PASSWORD']}" if database.get("PASSWORD") else "")


def _url(database: dict[str, Any], name: str) -> str:
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{name}"


def _base_name(database: dict[str, Any]) -> str:
    name = str(database["NAME"])
    return name.removeprefix("test_")


def service_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a service process: test settings, the copied database, its own media."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "ESPACE_RUN_ENV": str(tmp_path / "none.env"),
        "CLAMD_HOST": os.environ.get("CLAMD_HOST", "127.0.0.1"),
        "CLAMD_PORT": os.environ.get("CLAMD_PORT", "3310"),
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory) -> Iterator[str]:
    database = _postgres()
    if database is None:
        path = tmp_path_factory.mktemp("faults-db") / "template.sqlite3"
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = f"{_base_name(database)}_tpl_{secrets.token_hex(4)}"
        with psycopg.connect(_admin_dsn(database), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = _url(database, name)
    env = service_env(url, tmp_path_factory.mktemp("faults-migrate"))
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run(
        [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    yield url
    if database is not None:
        import psycopg

        with psycopg.connect(_admin_dsn(database), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@dataclass
class ServiceDatabase:
    """A migrated database of its own, opened by the test through plain SQL and by the service
    processes through DATABASE_URL."""

    url: str
    tmp_path: Path

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite:///"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def env(self, **extra: str) -> dict[str, str]:
        return service_env(self.url, self.tmp_path, **extra)

    def django(self, code: str, **extra_env: str) -> Any:
        """Run Python in a fresh service process (django set up); it prints one JSON value."""
        script = "import django, json\ndjango.setup()\n" + code
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def database_copy(template_url: str, tmp_path: Path) -> Iterator[ServiceDatabase]:
    """A copy of the migrated database, dropped on the way out."""
    database = _postgres()
    if database is None:
        path = tmp_path / "service.sqlite3"
        shutil.copy(template_url.removeprefix("sqlite:///"), path)
        yield ServiceDatabase(url=f"sqlite:///{path}", tmp_path=tmp_path)
        return
    import psycopg

    template = template_url.rsplit("/", 1)[1]
    name = f"{_base_name(database)}_{secrets.token_hex(4)}"
    with psycopg.connect(_admin_dsn(database), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield ServiceDatabase(url=_url(database, name), tmp_path=tmp_path)
    finally:
        with psycopg.connect(_admin_dsn(database), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def service_database(_migrated_database, tmp_path) -> Iterator[ServiceDatabase]:
    with database_copy(_migrated_database, tmp_path) as database:
        yield database
