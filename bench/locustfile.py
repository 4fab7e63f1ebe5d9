"""Locust scenarios of the load bench (`bench/load.py` runs them headless; see its docstring).

User classes (pick them on the command line):

- `BareUser`: `/bench/bare/`, anonymous — the ceiling of the stack;
- `LoginUser`: logs in again and again, each locust user with its own generated account
  (`u0000001`, `u0000002`, …, the right password: the lockout never triggers): the login form,
  then the POST, whose 302 is one login;
- `ClientUser`: logs in once (on_start, requests named `setup: …`; the statistics restart once
  every user is logged in, so the logins' Argon2 work is not in the pages' figures) with its own account of the
  large establishment (`grand-0006` …; the users list with its 5 administrators, `grand-0001` …;
  500 users, 20,000 lines), then opens the page `BENCH_SCENARIO` names (a key of `PAGES`, of
  `GUARANTOR_PAGES` — opened by the users of the large guarantor commune, `BENCH_GUARANTOR_USERS` —,
  or `bare view, logged in`: two bytes behind login_required, the pages' anchor) or, with
  `BENCH_SCENARIO=mixed`, one of the pages at random each time (one user in ten an administrator,
  one in ten a user of the guarantor commune);
- `ApiUser`: the large establishment's software, with its token (`BENCH_API_TOKEN`), reading the
  API page `BENCH_SCENARIO` names (a key of `API_PAGES`).

The server runs with DEBUG off behind no proxy: the requests say `X-Forwarded-Proto: https`
(what the production proxy sends), and the cookie jar sends the Secure cookies over this plain
HTTP connection to 127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from gevent.event import Event
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = os.environ.get("BENCH_PASSWORD", "Bench-Prets-2026")
SCENARIO = os.environ.get("BENCH_SCENARIO", "mixed")
LINES_FILE = os.environ.get("BENCH_LINES_FILE", "")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = {
    "home": "/espace/",
    "dashboard": "/encours/",
    "loans list": "/encours/prets/",
    "loans list, filtered": "/encours/prets/?product=plus&status=repayment",
    "loans list, sorted": "/encours/prets/?sort=encours",
    "loans list, page 7": "/encours/prets/?page=7",
    "loan page": "LINES",  # a line of the large establishment, at random
    "disbursements": "/encours/versements/",
    "dossiers list": "/demandes/",
    "dossier page": "DOSSIERS",  # a dossier of the large establishment, at random
    "documents library": "/documents/",
    "users list": "/administration/utilisateurs/",
    "fiche d'identité": "MEMBERS",  # a user of the large establishment, opened by an administrator
}
# Opened by the users of the large guarantor commune (bench/national.py: LARGE_GUARANTOR_CLIENT_NUMBER).
GUARANTOR_PAGES = {"guaranteed debt": "/encours/dette-garantie/"}
# Read with the large establishment's API token (BENCH_API_TOKEN): JSON pages of 100.
API_PAGES = {
    "API loans list": "/api/v1/loans?limit=100",
    "API instalments": "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31",
}
ADMIN_PAGES = {"users list", "fiche d'identité"}
# Not a client page: the logged-in bare view, two bytes behind login_required (the session and the
# user every authenticated page reads): the anchor of the client pages (issue 23).
EXTRA = {"bare view, logged in": "/bench/bare-login/"}
LINES = Path(LINES_FILE).read_text(encoding="ascii").split() if LINES_FILE else []
DOSSIERS_FILE = os.environ.get("BENCH_DOSSIERS_FILE", "")
DOSSIERS = Path(DOSSIERS_FILE).read_text(encoding="ascii").split() if DOSSIERS_FILE else []
MEMBERS_FILE = os.environ.get("BENCH_MEMBERS_FILE", "")
MEMBERS = Path(MEMBERS_FILE).read_text(encoding="ascii").split() if MEMBERS_FILE else []
GUARANTOR_USERS = os.environ.get("BENCH_GUARANTOR_USERS", "").split()
API_TOKEN = os.environ.get("BENCH_API_TOKEN", "")
PICKS = {"LINES": ("/encours/prets/{}/", LINES), "DOSSIERS": ("/demandes/{}/", DOSSIERS)}
PICKS["MEMBERS"] = ("/administration/utilisateurs/{}/", MEMBERS)
ADMINS = 5  # bench/national.py: LARGE_ADMINS
_login_accounts = itertools.count(1)
_client_accounts = itertools.count(1)
_logged_in = 0
_all_logged_in = Event()


class SecureOverLoopback(DefaultCookiePolicy):
    """Send the session's Secure cookies over plain HTTP: the bench talks to 127.0.0.1 directly."""

    def return_ok_secure(self, cookie, request):  # type: ignore[no-untyped-def]
        return True

    def set_ok(self, cookie, request):  # type: ignore[no-untyped-def]
        return True


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)  # closed loop: each user sends its next request as soon as it has the answer

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(SecureOverLoopback())
        self.origin = self.host.replace("http://", "https://")

    def headers(self, referer: str = "/") -> dict[str, str]:
        return {"X-Forwarded-Proto": "https", "Origin": self.origin, "Referer": self.origin + referer}

    def log_in(self, username: str, *, name: str) -> bool:
        self.client.cookiejar.clear()
        form = self.client.get("/connexion/", headers=self.headers(), name=f"{name} form")
        found = TOKEN.search(form.content or b"")
        if not found:
            return False
        with self.client.post(
            "/connexion/",
            data={"csrfmiddlewaretoken": found.group(1).decode(), "username": username, "password": PASSWORD},
            headers=self.headers("/connexion/"),
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location", "").endswith("/espace/"):
                response.success()
                return True
            response.failure(f"login of {username}: HTTP {response.status_code}")
            return False


class BareUser(BenchUser):
    @task
    def bare(self) -> None:
        self.client.get("/bench/bare/", headers=self.headers(), name="bare view")


class LoginUser(BenchUser):
    def on_start(self) -> None:
        super().on_start()
        self.username = f"u{next(_login_accounts):07d}"

    @task
    def login(self) -> None:
        self.log_in(self.username, name="login")


class ClientUser(BenchUser):
    def on_start(self) -> None:
        super().on_start()
        number = next(_client_accounts)
        # The users list needs its administrators (grand-0001 … grand-0005, several sessions each);
        # every other page is opened by a user of its own (grand-0006 …). In the mixed run, one
        # user in ten is an administrator and also opens the users list.
        self.admin = SCENARIO in ADMIN_PAGES or (SCENARIO == "mixed" and number % 10 == 1)
        self.guarantor = SCENARIO in GUARANTOR_PAGES or (SCENARIO == "mixed" and number % 10 == 2)
        if self.guarantor:
            self.username = GUARANTOR_USERS[(number - 1) % len(GUARANTOR_USERS)]
        elif self.admin:
            self.username = f"grand-{(number - 1) % ADMINS + 1:04d}"
        else:
            self.username = f"grand-{ADMINS + number:04d}"
        self.log_in(self.username, name="setup: login")
        self.draw = random.Random(number)
        if self.guarantor:
            self.pages = list(GUARANTOR_PAGES)
        else:
            self.pages = [name for name in PAGES if self.admin or name not in ADMIN_PAGES]
        # Measure once every user is logged in: the statistics restart when the last login is done
        # (a login that failed counts too: its user's pages then fail, and are counted).
        global _logged_in
        _logged_in += 1
        if _logged_in >= self.environment.parsed_options.num_users:
            self.environment.stats.reset_all()
            _all_logged_in.set()
        _all_logged_in.wait(timeout=300)

    @task
    def page(self) -> None:
        name = self.draw.choice(self.pages) if SCENARIO == "mixed" else SCENARIO
        url = EXTRA.get(name) or GUARANTOR_PAGES.get(name) or PAGES[name]
        if url in PICKS:
            pattern, choices = PICKS[url]
            url = pattern.format(self.draw.choice(choices))
        with self.client.get(
            url, headers=self.headers(), name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:  # a redirect to the login page is a failure too
                response.failure(f"{name}: HTTP {response.status_code}")


class ApiUser(FastHttpUser):
    """The large establishment's software reading the API with its token (`BENCH_SCENARIO` names the page)."""

    wait_time = constant(0)

    @task
    def page(self) -> None:
        headers = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {API_TOKEN}"}
        with self.client.get(
            API_PAGES[SCENARIO], headers=headers, name=SCENARIO, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{SCENARIO}: HTTP {response.status_code}")
