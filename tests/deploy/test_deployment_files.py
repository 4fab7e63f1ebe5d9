"""The deployment files (Dockerfile, deploy/compose.yaml, deploy/crontab, deploy/kubernetes/) say
what the code does. No Docker engine runs here: the image's build is replayed on a copy of the files
the Dockerfile copies, and served from there (`make lint` runs hadolint and the Compose schema)."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys

import pytest
import yaml
from django.core.management import get_commands

from tests.serving import ROOT, gunicorn

# The operators' pages: the variables in docs/operations.md, the deployment in docs/deployment.md.
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
DEPLOYMENT = (ROOT / "docs" / "deployment.md").read_text()
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def settings_variables() -> set[str]:
    """Every environment variable the settings read (config/)."""
    found: set[str] = set()
    for path in (ROOT / "config").glob("*.py"):
        source = path.read_text()
        found |= set(re.findall(r'env(?:_int|_bool|_list)?\(\s*"([A-Z0-9_]+)"', source))
        found |= set(re.findall(r'environ(?:\.get\(|\[)\s*"([A-Z0-9_]+)"', source))
    return found - {"SQLITE_TEST_NAME"}  # the test settings' own


def deployment_section() -> str:
    return DEPLOYMENT


def test_every_variable_the_settings_read_is_documented_for_operators():
    variables = settings_variables()
    assert {"DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "DATABASE_REPLICA_URL", "REDIS_URL"} <= variables
    assert sorted(v for v in variables if f"`{v}`" not in OPERATIONS) == []


def test_the_compose_file_uses_only_variables_the_service_reads_and_the_readme_lists():
    service_env = COMPOSE["services"]["web"]["environment"] | COMPOSE["services"]["worker"]["environment"]
    read = settings_variables() | {"WEB_CONCURRENCY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}  # gunicorn, boto3
    assert sorted(set(service_env) - read) == []
    section = deployment_section()
    assert sorted(v for v in service_env if f"`{v}`" not in OPERATIONS) == []
    for name in COMPOSE["services"]:
        assert f"`{name}`" in section, name  # every component is named in the deployment table
    assert COMPOSE["services"]["web"]["deploy"]["replicas"] == 2
    assert COMPOSE["services"]["worker"]["deploy"]["replicas"] == 2
    assert COMPOSE["services"]["worker"]["command"] == ["python", "manage.py", "task_worker"]


def scheduled_in_crontab() -> dict[str, str]:
    jobs = {}
    for line in (ROOT / "deploy" / "crontab").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]:
            fields = line.split()
            jobs[fields[7]] = " ".join(fields[:5])
    return jobs


def scheduled_in_kubernetes() -> dict[str, str]:
    jobs = {}
    for document in yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "cronjobs.yaml").read_text()):
        assert document["kind"] == "CronJob" and document["spec"]["concurrencyPolicy"] == "Forbid"
        (container,) = document["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        words = shlex.split(" ".join(container["command"]))
        jobs[words[words.index("manage.py") + 1]] = document["spec"]["schedule"]
    return jobs


def test_cron_and_kubernetes_schedule_the_same_existing_commands():
    crontab = scheduled_in_crontab()
    assert crontab == scheduled_in_kubernetes()
    assert set(crontab) == {
        "expire_registrations",
        "remind_pending_registrations",
        "export_letters",
        "rescan_pending_uploads",
        "schedule_portfolio_import",
    }
    commands = get_commands()
    assert all(name in commands for name in crontab)
    for name in crontab:
        assert f"`{name}`" in deployment_section()


@pytest.mark.production
def test_the_image_built_from_the_dockerfile_serves_and_passes_its_health_check(tmp_path):
    """Replays the build: the files the Dockerfile copies, its environment, its collectstatic step,
    then its command (gunicorn) and its HEALTHCHECK, from that copy and nothing else."""
    app = tmp_path / "app"
    for source, target in re.findall(r"^COPY (\S+) (\S+)$", DOCKERFILE, flags=re.M):
        destination = app / ("" if target in ("./", ".") else target)
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, destination if target not in ("./", ".") else app / source)
    image_env = dict(re.findall(r"(\w+)=(\S+)", DOCKERFILE.split("ENV ", 1)[1].split("\n\n", 1)[0]))
    image_env["STATIC_ROOT"] = str(tmp_path / "static-collected")  # /app is this folder here
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **image_env}
    build = re.search(r"RUN (DEBUG=0 .*?collectstatic[^\n]*)", DOCKERFILE, flags=re.S).group(1)
    build_env = dict(re.findall(r"(\w+)=(\S+)", build.split("python manage.py")[0]))
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=app,
        env={**base, **build_env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list((tmp_path / "static-collected" / "vendor").glob("bootstrap.min.*.css"))

    runtime = {
        **base,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "prets.example.org,127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "CLAMD_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'image.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=app, env=runtime, capture_output=True)
        assert done.returncode == 0, done.stderr[-3000:]
    with gunicorn(runtime, workers=1, log=tmp_path / "gunicorn.log", cwd=app) as (node, _server):
        port = node.rsplit(":", 1)[1]
        health = subprocess.run(
            [sys.executable, "deploy/healthcheck.py"], cwd=app, env={**runtime, "PORT": port}, timeout=30
        )
        assert health.returncode == 0
        down = subprocess.run(
            [sys.executable, "deploy/healthcheck.py"], cwd=app, env={**runtime, "PORT": "1"}, timeout=30
        )
        assert down.returncode == 1  # and it says so when nothing answers
    assert "USER 10001" in DOCKERFILE and "HEALTHCHECK" in DOCKERFILE
