"""Fuzzing of every form (tests/faults/test_form_fuzz.py in CI, bench/fuzz_forms.py for 10,000 posts).

The forms are not listed by hand: each page below is fetched as the person who uses it and every
POST form found in its HTML is a target, with its fields (text, select options, check boxes,
files). Hypothesis draws the values: plausible ones (the options, numbers, dates, the CAPTCHA's
test token, real PDF and EICAR files) and hostile ones (any Unicode, NUL bytes, 5,000 characters,
missing and unknown fields). Every answer must be below 500; afterwards `consistency_problems`
looks for anything half-written.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from espace.core.captcha import TEST_TOKEN

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Forms never posted: logging out would end the session the other targets need.
SKIPPED_ACTIONS = ("/deconnexion/",)


@dataclass
class FormField:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, number, date, email, password
    options: list[str] = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    actor: str
    page: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)
    multipart: bool = False

    @property
    def key(self) -> str:
        return f"{self.actor} {self.action} [{', '.join(sorted(self.fields))}]"


class FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, bool, dict[str, FormField]]] = []
        self._current: dict[str, FormField] | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._current = {}
                action = urljoin(self.page, a.get("action") or self.page)
                self.forms.append((action, "multipart" in a.get("enctype", ""), self._current))
            else:
                self._current = None
            return
        if self._current is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("value"):
                    self._current.setdefault(name, FormField(name, "radio")).options.append(a["value"])
                return
            known = self._current.setdefault(name, FormField(name, kind, value=a.get("value", "")))
            if kind in ("checkbox", "radio"):
                known.options.append(a.get("value", "on"))
        elif tag == "textarea" and name:
            self._current[name] = FormField(name, "textarea")
        elif tag == "select" and name:
            self._select = self._current[name] = FormField(name, "select")
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._current = None


def discover(clients: dict[str, Client], pages: list[tuple[str, str]]) -> list[Form]:
    """Every POST form of every page, once each (same action and same fields)."""
    found: dict[str, Form] = {}
    for actor, page in pages:
        response = clients[actor].get(page, follow=True)
        assert response.status_code == 200, (actor, page, response.status_code)
        final = response.redirect_chain[-1][0] if response.redirect_chain else page
        parser = FormParser(urljoin(page, final))
        parser.feed(response.content.decode())
        for action, multipart, fields in parser.forms:
            path = urlsplit(action).path
            if path.endswith(SKIPPED_ACTIONS) or not fields:
                continue
            form = Form(actor=actor, page=page, action=path, fields=fields, multipart=multipart)
            found.setdefault(form.key, form)
    return list(found.values())


def eicar_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    return archive.getvalue()


HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.just("\x00"),
    st.just("a" * 5000),
    st.just("<script>alert(1)</script>"),
    st.just("' OR 1=1 --"),
    st.just("../../etc/passwd"),
)
PLAUSIBLE_TEXT = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1e309",
        "NaN",
        "12,5",
        "1 000 000",
        "999999999999999999999",
        "2026-11-23",
        "23/11/2026",
        "31/02/2026",
        "287576",
        "000237517",
        "pdurand",
        "p@example.org",
        "Fonds-Epargne-2026",
        "Bonjour-Prets-42",
        "1234",
        TEST_TOKEN,
    ]
)
FILES = st.sampled_from(
    [
        ("plan.pdf", PDF),
        ("pieces.zip", eicar_zip()),
        ("vide.pdf", b""),
        ("image.png", PNG),
        ("script.pdf", b"#!/bin/sh\necho hello\n"),
        ("x" * 300 + ".pdf", PDF),
    ]
)


def value_strategy(form_field: FormField) -> st.SearchStrategy[Any]:
    if form_field.kind == "file":
        return FILES
    if form_field.kind in ("select", "radio") and form_field.options:
        return st.one_of(st.sampled_from(form_field.options), HOSTILE_TEXT)
    if form_field.kind == "checkbox":
        return st.one_of(st.lists(st.sampled_from(form_field.options), unique=True), st.just([form_field.options[0]]))
    if form_field.name == "captcha":
        return st.one_of(st.just(TEST_TOKEN), HOSTILE_TEXT)
    if form_field.kind == "hidden" and form_field.value:
        return st.one_of(st.just(form_field.value), HOSTILE_TEXT)
    return st.one_of(PLAUSIBLE_TEXT, HOSTILE_TEXT)


@st.composite
def post_data(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, form_field in form.fields.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # a field left out
        value = draw(value_strategy(form_field))
        if form_field.kind == "file":
            file_name, content = value
            data[name] = SimpleUploadedFile(file_name, content, content_type="application/octet-stream")
        elif isinstance(value, list):
            if value:
                data[name] = value
        else:
            data[name] = value
    if draw(st.integers(0, 19)) == 0:
        data[draw(st.sampled_from(["unexpected", "id", "pk", "status", "establishment"]))] = draw(HOSTILE_TEXT)
    return data


@dataclass
class FuzzReport:
    posts: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_form: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)


def fuzz(clients: dict[str, Client], forms: list[Form], *, posts: int, seed: int | None = None) -> FuzzReport:
    """Post `posts` drawn submissions, shared out evenly between the forms; a server error is
    recorded, not raised, so one run lists them all."""
    report = FuzzReport()
    for index, form in enumerate(forms):
        share = posts // len(forms) + (1 if index < posts % len(forms) else 0)
        if share:
            _fuzz_one(clients[form.actor], form, share, seed, report)
    return report


def _fuzz_one(client: Client, form: Form, examples: int, seed: int | None, report: FuzzReport) -> None:
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis_phase_generate()],
    )
    @given(post_data(form))
    def one_post(payload: dict[str, Any]) -> None:
        report.posts += 1
        report.per_form[form.key] += 1
        try:
            response = client.post(form.action, payload)
        except Exception as error:  # the test client re-raises the view's exception: a 500
            report.server_errors.append(f"{form.key}: {type(error).__name__}: {error}"[:500])
            report.statuses[500] += 1
            return
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            report.server_errors.append(f"{form.key}: HTTP {response.status_code}")

    one_post()


def hypothesis_phase_generate() -> Any:
    from hypothesis import Phase

    return Phase.generate  # no shrinking: a server error is recorded with its form and kept going


# --- Nothing half-written ------------------------------------------------------------------------


def consistency_problems(media_root: Path) -> list[str]:
    """Rows that a rolled-back or interrupted write would leave behind, and files nobody owns."""
    from espace.accounts.enums import UserStatus
    from espace.accounts.models import User
    from espace.documents.models import Document, ResourceVersion
    from espace.letters.models import Letter
    from espace.loan_requests.models import DossierFile, LoanRequest
    from espace.registration.models import Registration
    from espace.support.models import ContactRequest

    problems: list[str] = []
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("contact request without reference", lambda: ContactRequest.objects.filter(reference="")),
        (
            "contact attachment scanned but missing",
            lambda: ContactRequest.objects.filter(attachment="", attachment_scan__in=["clean", "pending"]),
        ),
        (
            "completed registration without user",
            lambda: Registration.objects.filter(completed_at__isnull=False, user=None),
        ),
        (
            "registration with user but not completed",
            lambda: Registration.objects.filter(user__isnull=False, completed_at=None),
        ),
        (
            "account awaiting activation without code expiry",
            lambda: User.objects.filter(status=UserStatus.AWAITING_ACTIVATION, temporary_code_expires_at=None),
        ),
        ("dossier file without file", lambda: DossierFile.objects.filter(file="").exclude(scan="infected")),
        ("loan request without establishment", lambda: LoanRequest.objects.filter(establishment=None)),
    ]
    for label, query in checks:
        count = query().count()
        if count:
            problems.append(f"{count} × {label}")
    owned: set[str] = set()
    for model, attribute in (
        (ContactRequest, "attachment"),
        (DossierFile, "file"),
        (Document, "file"),
        (ResourceVersion, "file"),
        (Letter, "pdf"),
    ):
        owned.update(name for name in model.objects.values_list(attribute, flat=True) if name)
    root = Path(media_root)
    if root.exists():
        for path in root.rglob("*"):
            if path.is_file() and str(path.relative_to(root)) not in owned:
                problems.append(f"orphan file {path.relative_to(root)} (written, then its row was not)")
    return problems


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# --- The world the forms are posted in -----------------------------------------------------------


def relax_limits(target: Any) -> None:
    """Per-IP and per-hour limits would turn most posts into 429s (every post comes from one
    address): raised, so the posts reach the forms' own validation."""
    target.CONTACT_LIMIT_PER_HOUR = 10**6
    target.SELF_SERVICE_IP_LIMIT = 10**6
    target.REGISTRATION_IP_LIMIT = 10**6
    target.REGISTRATION_IDENTITY_TRIES = 10**6
    target.REGISTRATION_IDENTITY_IP_LIMIT = 10**6
    target.LOGIN_IP_FAILURES_LIMIT = 10**6
    target.LOGIN_IP_CAPTCHA_AFTER = 10**6


def build_world() -> tuple[dict[str, Client], list[tuple[str, str]]]:
    """People and objects for every form: an administrator with a draft loan request and a member
    to validate, a sent dossier and a contact request for staff, registrations at each step."""
    from django.contrib.auth.models import Group

    from espace.backoffice.roles import staff_roles_ensure
    from espace.loan_requests.steps import HOUSING_STEPS
    from tests.accounts.factories import UserFactory
    from tests.accounts.helpers import start
    from tests.conftest import verified_login
    from tests.establishments.factories import EstablishmentFactory
    from tests.loan_requests.factories import LoanRequestFactory
    from tests.support.factories import ContactRequestFactory

    staff_roles_ensure()
    establishment = EstablishmentFactory(with_office=True)
    admin = UserFactory(admin=True, establishment=establishment, username="fuzzadmin")
    member = UserFactory(pending=True, establishment=establishment, username="fuzzmembre")
    draft = LoanRequestFactory(establishment=establishment, created_by=admin, complete=True)
    other = EstablishmentFactory(with_office=True)
    other_user = UserFactory(establishment=other, username="fuzzautre")
    dossier = LoanRequestFactory(establishment=other, sent=True)
    contact = ContactRequestFactory()
    staff = UserFactory(staff=True, username="fuzzagent", regional_office=dossier.regional_office)
    staff.groups.add(*Group.objects.all())
    EstablishmentFactory(client_number="237517")  # free for a CAS 1 registration
    EstablishmentFactory(client_number="58012")

    clients = {name: Client() for name in ("anonymous", "step2", "identity", "code", "admin", "staff")}
    start(clients["step2"], "237517")
    start(clients["identity"], "58012")
    clients["identity"].post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    start(clients["code"], "58012")
    clients["code"].post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    clients["code"].post(
        "/inscription/identite/",
        {"username": "fuzzcode", "last_name": "Durand", "first_name": "Pierre", "email": "code@example.org"},
    )
    clients["admin"].force_login(admin)
    verified_login(clients["staff"], staff)

    pages = [
        ("anonymous", "/connexion/"),
        ("anonymous", "/mot-de-passe-oublie/"),
        ("anonymous", "/identifiant-oublie/"),
        ("anonymous", "/inscription/etape-1/"),
        ("anonymous", "/contact/"),
        ("anonymous", "/back-office/connexion/"),
        ("step2", "/inscription/etape-2/"),
        ("identity", "/inscription/identite/"),
        ("code", "/inscription/code/"),
        ("admin", "/mon-compte/"),
        ("admin", "/mon-compte/mot-de-passe/"),
        ("admin", "/mon-compte/adresse-e-mail/"),
        ("admin", "/contact/"),
        ("admin", "/demandes/nouvelle/"),
        ("admin", f"/demandes/{draft.public_id}/recapitulatif/"),
        *[("admin", f"/demandes/{draft.public_id}/etapes/{slug}/") for slug, _label in HOUSING_STEPS],
        ("admin", "/administration/utilisateurs/"),
        ("admin", f"/administration/utilisateurs/{member.public_id}/"),
        ("admin", "/administration/parametres/"),
        ("admin", "/administration/jetons-api/"),
        ("admin", "/administration/jetons-api/nouveau/"),
        ("staff", f"/back-office/demandes/{contact.public_id}/"),
        ("staff", f"/back-office/etablissements/{other.public_id}/"),
        ("staff", f"/back-office/dossiers/{dossier.public_id}/"),
        ("staff", "/back-office/ressources/nouvelle/"),
        ("staff", "/back-office/courriers/"),
        ("staff", "/back-office/second-facteur/"),
    ]
    assert other_user.pk
    return clients, pages
