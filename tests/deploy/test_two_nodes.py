"""Beyond one machine (issue 21): two web nodes and two task workers on one database, one Redis and
one object store, as docs/deployment.md describes.

Two gunicorn instances (production settings, DEBUG=0, two workers each) listen on two ports as if
behind one load balancer (same host name, HTTPS said by the proxy, the client address from
X-Forwarded-For); two `manage.py task_worker` processes take the queue; they share PostgreSQL (the
suite's server), Redis (cache and sessions), moto_server (S3), clamd and a real SMTP server. The
tests speak HTTP to either node, and check the shared components directly (SQL, boto3, SMTP).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import SmtpSink
from tests.objectstore import LOCATION, ObjectStore
from tests.servicedb import ServiceDatabase, database_copy
from tests.serving import HOST, ROOT, Browser, free_port, gunicorn, text

pytestmark = pytest.mark.production

IP_LIMIT = 8  # LOGIN_IP_FAILURES_LIMIT of the cluster: small, so the test reaches it

SETUP = """
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory
from tests.loan_requests.factories import LoanRequestFactory
from espace.accounts.enums import Permission
from espace.loan_requests.steps import required_documents
oph = EstablishmentFactory(with_office=True)
admin = UserFactory(establishment=oph, admin=True, username="admin-oph", email="admin@oph.example.org")
author = UserFactory(
    establishment=oph, username="auteur", email="auteur@oph.example.org",
    permissions=[Permission.CREATE_LOAN_REQUESTS.value, Permission.VIEW_DOSSIERS.value],
)
locked = UserFactory(establishment=oph, username="verrou", email="verrou@oph.example.org")
UserFactory(
    establishment=EstablishmentFactory(), username="ailleurs", email="ailleurs@voisin.example.org",
    permissions=[Permission.CREATE_LOAN_REQUESTS.value, Permission.VIEW_DOSSIERS.value],
)
draft = LoanRequestFactory(complete=True, establishment=oph, created_by=author)
print(json.dumps({
    "author": str(author.public_id), "draft": str(draft.public_id),
    "document": required_documents(draft)[0].pk,
}))
"""

MAILS = """
from espace.core.emails import email_enqueue
for number in range({count}):
    email_enqueue(template="password_changed", to=[f"lot-{{number}}@oph.example.org"],
                  context={{"first_name": "Lot", "username": f"lot-{{number}}"}})
print(json.dumps({count}))
"""

FIRST_USER = """
from tests.establishments.factories import EstablishmentFactory
from tests.registration.factories import RegistrationFactory
from espace.registration.services import registration_complete
# A client number of its own: the factories' sequences start again in each process.
new = EstablishmentFactory(client_number="987654", legal_name="COMMUNE DE DEUXNOEUDS")
user = registration_complete(registration=RegistrationFactory(establishment=new, username="premier", verified=True))
print(json.dumps(user.pk))
"""


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Cluster:
    a: str
    b: str
    database: ServiceDatabase
    store: ObjectStore
    bucket: str
    smtp: SmtpSink
    workers: list[subprocess.Popen[bytes]]
    pause_dir: Path
    env: dict[str, str]
    ids: dict[str, str]

    def tasks(self, path_end: str) -> list[tuple[str, list[str]]]:
        rows = self.database.query(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
            (f"%{path_end}",),
        )
        return [(status, ids if isinstance(ids, list) else json.loads(ids)) for status, ids in rows]

    def audit_count(self, action: str) -> int:
        return int(self.database.query("SELECT COUNT(*) FROM core_auditevent WHERE action = %s", (action,))[0][0])


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def cluster(_migrated_database, tmp_path_factory, object_store_server, collected_static) -> Iterator[Cluster]:
    redis_url = os.environ.get("REDIS_TEST_URL")
    if not redis_url:
        pytest.fail("REDIS_TEST_URL manquant : lancez `make test`, qui démarre Redis.")
    folder = tmp_path_factory.mktemp("cluster")
    pause_dir = folder / "pause"
    pause_dir.mkdir()
    smtp = SmtpSink(port=free_port())
    smtp.start()
    bucket = object_store_server.bucket_create()
    with database_copy(_migrated_database, folder) as database:
        env = database.env(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=f"{HOST},127.0.0.1",
            SITE_URL=f"https://{HOST}",
            STATIC_ROOT=str(collected_static),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            REDIS_URL=redis_url,
            TRUSTED_PROXY_COUNT="1",
            LOGIN_IP_FAILURES_LIMIT=str(IP_LIMIT),
            LOGIN_IP_CAPTCHA_AFTER="100",
            TASK_WORKER_HEARTBEAT_SECONDS="1",
            TASK_WORKER_LOST_AFTER_SECONDS="3",
            ESPACE_FAULT_PAUSE_DIR=str(pause_dir),
            ESPACE_FAULT_PAUSE_AT="letter_render",
            **object_store_server.env(bucket),
        )
        del env["MEDIA_ROOT"]  # no local media anywhere: files are in the bucket
        ids = database.django(SETUP, **env)
        workers = [start_worker(env, folder / f"worker-{n}.log") for n in (1, 2)]
        try:
            with (
                gunicorn(env, workers=2, log=folder / "node-a.log") as (a, _server_a),
                gunicorn(env, workers=2, log=folder / "node-b.log") as (b, _server_b),
            ):
                yield Cluster(a, b, database, object_store_server, bucket, smtp, workers, pause_dir, env, ids)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
            smtp.stop()


def test_a_session_opened_on_one_node_is_valid_on_the_other_and_logout_ends_it_everywhere(cluster):
    browser = Browser("198.51.100.10")
    logged_in = browser.log_in(cluster.a, "auteur")
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == "/espace/"
    on_b = browser.get(cluster.b, "/demandes/")
    assert on_b.status_code == 200 and cluster.ids["draft"] in on_b.text
    assert browser.get(cluster.a, "/demandes/").status_code == 200
    logout = browser.post(cluster.a, "/deconnexion/", {}, form="/espace/")
    assert logout.status_code == 302
    after = browser.get(cluster.b, "/demandes/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/connexion/")


def test_five_wrong_passwords_split_across_the_nodes_lock_the_account_once(cluster):
    browser = Browser("198.51.100.20")
    answers = [browser.log_in(node, "verrou", "Mauvais-Mot-2026") for node in (cluster.a, cluster.b, cluster.a)]
    answers += [browser.log_in(node, "verrou", "Mauvais-Mot-2026") for node in (cluster.b, cluster.a)]
    assert all("Identifiant ou mot de passe incorrect." in text(answer) for answer in answers[:4])
    assert "Votre compte est bloqué à la suite de 5 tentatives" in text(answers[4])
    right = browser.log_in(cluster.b, "verrou")  # the right password, on the other node: still locked
    assert right.status_code != 302 and "Votre compte est bloqué" in text(right)
    assert cluster.audit_count("login_locked") == 1


def test_the_per_address_limit_counts_the_failures_of_both_nodes(cluster):
    browser = Browser("203.0.113.30")
    nodes = [cluster.a, cluster.b] * IP_LIMIT
    for number in range(IP_LIMIT):
        failed = browser.log_in(nodes[number], f"inconnu{number}", "Mauvais-Mot-2026")
        assert "Identifiant ou mot de passe incorrect." in text(failed)
    refused = browser.log_in(cluster.b, "admin-oph")  # a right password, from that address: refused
    assert "Trop de tentatives de connexion depuis votre adresse" in text(refused)
    elsewhere = Browser("203.0.113.31").log_in(cluster.a, "admin-oph")  # another address is not affected
    assert elsewhere.status_code == 302


def test_a_file_uploaded_on_one_node_is_downloaded_on_the_other(cluster):
    browser = Browser("198.51.100.40")
    assert browser.log_in(cluster.b, "auteur").status_code == 302
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% deux noeuds\n"
    step = f"/demandes/{cluster.ids['draft']}/etapes/documents/"
    uploaded = browser.post(
        cluster.a,
        step,
        {"document": str(cluster.ids["document"])},
        files={"file": ("deux-noeuds.pdf", content, "application/pdf")},
    )
    assert uploaded.status_code == 302, text(uploaded)[:2000]
    ((stored_id, name, scan),) = cluster.database.query(
        "SELECT public_id, file, scan FROM loan_requests_dossierfile WHERE name = %s", ("deux-noeuds.pdf",)
    )
    public_id = uuid.UUID(str(stored_id))  # SQLite keeps it as 32 hex digits
    assert scan == "clean"
    assert cluster.store.body(cluster.bucket, f"{LOCATION}/{name}") == content  # in the bucket, through boto3
    download = browser.get(cluster.b, f"/demandes/{cluster.ids['draft']}/documents/{public_id}/")
    assert download.status_code == 200 and download.content == content
    assert download.headers["Content-Disposition"] == 'attachment; filename="deux-noeuds.pdf"'
    stranger = Browser("198.51.100.41")  # a user of another establishment, same permissions
    assert stranger.log_in(cluster.a, "ailleurs").status_code == 302
    assert stranger.get(cluster.b, f"/demandes/{cluster.ids['draft']}/documents/{public_id}/").status_code == 404


def test_an_administrators_change_on_one_node_is_effective_on_the_other_at_the_next_request(cluster):
    member = Browser("198.51.100.50")
    assert member.log_in(cluster.b, "auteur").status_code == 302
    assert member.get(cluster.b, "/demandes/").status_code == 200
    admin = Browser("198.51.100.51")
    assert admin.log_in(cluster.a, "admin-oph").status_code == 302
    card = f"/administration/utilisateurs/{cluster.ids['author']}/"
    changed = admin.post(cluster.a, card, {"permissions": ["view_portfolio"]})
    assert changed.status_code == 302, text(changed)[:2000]
    assert member.get(cluster.b, "/demandes/").status_code == 403  # the very next request, on the other node
    assert member.get(cluster.a, "/demandes/").status_code == 403
    assert member.get(cluster.b, "/encours/").status_code == 200


def test_a_page_kept_by_one_node_is_renewed_by_a_change_on_the_other(cluster):
    """The rendered pages and their versions are in Redis (espace.core.page_cache): a change made
    through one node renews the copy both nodes serve."""
    admin = Browser("198.51.100.52")
    assert admin.log_in(cluster.b, "admin-oph").status_code == 302
    card = f"/administration/utilisateurs/{cluster.ids['author']}/"
    granted = re.compile(r'value="view_documents"[^>]*\bchecked\b')
    for node in (cluster.b, cluster.a, cluster.b):  # rendered, then served, by each node
        page = admin.get(node, card)
        assert page.status_code == 200 and not granted.search(page.text)
    changed = admin.post(cluster.a, card, {"permissions": ["view_portfolio", "view_documents"]})
    assert changed.status_code == 302, text(changed)[:2000]
    for node in (cluster.b, cluster.b, cluster.a):  # the message once, then the page as it now is
        page = admin.get(node, card)
        assert page.status_code == 200 and granted.search(page.text)


def test_each_task_runs_once_on_one_of_the_two_workers(cluster):
    browser = Browser("198.51.100.60")
    sent = browser.post(cluster.a, "/identifiant-oublie/", {"email": "auteur@oph.example.org"})
    assert sent.status_code == 200 and "identifiant" in text(sent).lower()
    count = 40
    assert cluster.database.django(MAILS.format(count=count), **cluster.env) == count

    def delivered() -> list[str]:
        return [m["To"] for m in cluster.smtp.messages]

    def reminders() -> int:
        return sum(1 for m in cluster.smtp.messages if subject(m).startswith("Votre identifiant"))

    wait_for(lambda: len([to for to in delivered() if to.startswith("lot-")]) == count, 60, "the 40 mails")
    wait_for(lambda: reminders() > 0, 30, "the identifier reminder")
    time.sleep(2)  # time for a second delivery, if there were to be one
    lots = [to for to in delivered() if to.startswith("lot-")]
    assert sorted(lots) == sorted(f"lot-{n}@oph.example.org" for n in range(count))  # each once
    assert reminders() == 1
    runs = cluster.tasks("deliver_email") + cluster.tasks("send_username_reminder")
    assert runs and all(status == "SUCCESSFUL" and len(ids) == 1 for status, ids in runs), runs
    assert len({ids[0] for _status, ids in runs}) == 2  # both workers took their share


def test_a_worker_killed_mid_letter_leaves_the_other_to_finish_it(cluster):
    user_id = cluster.database.django(FIRST_USER, **cluster.env)
    reached = cluster.pause_dir / "letter_render.reached"
    wait_for(reached.exists, 60, "a worker to start rendering the letter")
    victim = int(reached.read_text())
    (dying,) = [worker for worker in cluster.workers if worker.pid == victim]
    dying.send_signal(signal.SIGKILL)
    dying.wait(timeout=10)
    (survivor,) = [worker for worker in cluster.workers if worker.pid != victim]
    wait_for(lambda: cluster.tasks("issue_temporary_code")[0][0] == "SUCCESSFUL", 60, "the letter to be finished")
    ((_status, worker_ids),) = cluster.tasks("issue_temporary_code")
    assert len(worker_ids) == 2 and worker_ids[0] != worker_ids[1]  # started by one, finished by the other
    assert survivor.poll() is None
    letters = cluster.database.query(
        "SELECT pdf, superseded FROM letters_letter WHERE account_holder_id = %s", (user_id,)
    )
    assert len(letters) == 1 and not letters[0][1]
    assert cluster.store.body(cluster.bucket, f"{LOCATION}/{letters[0][0]}").startswith(b"%PDF")
    assert cluster.audit_count("task_requeued") == 1
