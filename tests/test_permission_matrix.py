"""Every client-space URL × every kind of user: the server refuses what the menu hides.

The URL list comes from the resolver: a new view that is not classified below fails the
first test, so no view can escape the matrix.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from espace.accounts.enums import Permission, UserStatus
from espace.backoffice.roles import STAFF_ROLES
from espace.core.models import AuditEvent
from espace.letters.enums import LetterRequestKind
from espace.letters.models import LetterRequest
from espace.loan_requests.models import LoanRequest
from espace.members.review import access_review_open
from espace.portfolio.models import DisbursementChangeRequest
from espace.simulators.models import Simulation
from tests.accounts.factories import UserFactory
from tests.api.factories import issue_token
from tests.documents.factories import DocumentFactory, ResourceFactory
from tests.establishments.factories import EstablishmentFactory
from tests.letters.factories import LetterFactory
from tests.loan_requests.factories import LoanRequestFactory
from tests.portfolio.factories import (
    DisbursementChangeFactory,
    GuaranteedDebtStatementFactory,
    ImportRunFactory,
    LineFactory,
    plan_disbursements,
)
from tests.simulators.factories import SimulationFactory
from tests.support.factories import ContactRequestFactory

PUBLIC = "public"
CLIENT = "client"  # any active user of an establishment
EDIT = (Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS)
READ = (*EDIT, Permission.VIEW_DOSSIERS)

ACCESS: dict[str, object] = {
    "accounts:public_home": PUBLIC,
    "core:health": PUBLIC,
    "core:theme_css": PUBLIC,
    "core:captcha_challenge": PUBLIC,
    "core:demo_mailbox": PUBLIC,
    "core:demo_email": PUBLIC,
    "support:contact": PUBLIC,
    "support:contact_sent": PUBLIC,
    "support:faq": PUBLIC,
    "support:help": PUBLIC,
    "support:help_pdf": PUBLIC,
    "core:terms": PUBLIC,
    "core:legal": PUBLIC,
    "core:accessibility": PUBLIC,
    "accounts:login": PUBLIC,
    "registration:first_login": PUBLIC,
    "accounts:second_factor": PUBLIC,
    "accounts:second_factor_enrol": PUBLIC,
    # The JSON endpoints of the passkey script answer refusals in JSON (403), not with the login
    # page: the login's serve only the user held after the password; the registration's need a
    # client session past the second factor, with the app set up. tests/accounts/test_passkeys.py
    # proves each refusal (anonymous, staff, no app, session not past the factor, another's key).
    "otp_webauthn:credential-authentication-begin": PUBLIC,
    "otp_webauthn:credential-authentication-complete": PUBLIC,
    "otp_webauthn:credential-registration-begin": PUBLIC,
    "otp_webauthn:credential-registration-complete": PUBLIC,
    "otp_webauthn:js-i18n-catalog": PUBLIC,
    # « Suivre mon courrier d'activation »: public screens, the page itself opens only after the
    # e-mail code (tests/registration/test_tracking.py).
    "registration:tracking": PUBLIC,
    "registration:tracking_code": PUBLIC,
    "registration:tracking_code_resend": PUBLIC,
    "registration:tracking_status": PUBLIC,
    "registration:tracking_request": PUBLIC,
    "registration:tracking_end": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:username_reminder": PUBLIC,
    "registration:question": PUBLIC,
    "registration:not_eligible": PUBLIC,
    "registration:step1": PUBLIC,
    "registration:step2": PUBLIC,
    "registration:identity": PUBLIC,
    "registration:code": PUBLIC,
    "registration:code_resend": PUBLIC,
    "registration:member_details": PUBLIC,
    "registration:done": PUBLIC,
    "registration:finish": PUBLIC,
    "registration:cancel": PUBLIC,
    "accounts:home": CLIENT,
    "accounts:account": CLIENT,
    "notifications:preferences": CLIENT,
    # The signed link of every notification e-mail: no login (tests/notifications).
    "notifications:unsubscribe": PUBLIC,
    "accounts:account_password": CLIENT,
    "accounts:account_second_factor": CLIENT,
    "accounts:account_email": CLIENT,
    "accounts:account_email_code": CLIENT,
    "accounts:account_email_resend": CLIENT,
    "accounts:my_permissions": CLIENT,
    "members:list": Permission.ADMINISTER_USERS,
    "members:card": Permission.ADMINISTER_USERS,
    "members:activate": Permission.ADMINISTER_USERS,
    "members:deactivate": Permission.ADMINISTER_USERS,
    "members:second_factor_reset": Permission.ADMINISTER_USERS,
    "members:reactivate": Permission.ADMINISTER_USERS,
    "members:journal": Permission.ADMINISTER_USERS,
    "members:review": Permission.ADMINISTER_USERS,
    "members:review_export": Permission.ADMINISTER_USERS,
    "members:settings": Permission.ADMINISTER_USERS,
    "api_tokens:list": Permission.ADMINISTER_USERS,
    "api_tokens:create": Permission.ADMINISTER_USERS,
    "api_tokens:revoke": Permission.ADMINISTER_USERS,
    "products:list": PUBLIC,
    "products:detail": PUBLIC,
    "simulators:index": PUBLIC,
    "simulators:loan": PUBLIC,
    "simulators:loan_export": PUBLIC,
    "simulators:land_share": PUBLIC,
    "simulators:land_share_export": PUBLIC,
    "simulators:balance": PUBLIC,
    "simulators:balance_export": PUBLIC,
    "simulators:saved": CLIENT,
    "simulators:save": CLIENT,
    "simulators:reopen": CLIENT,
    "simulators:delete": CLIENT,
    "portfolio:dashboard": Permission.VIEW_PORTFOLIO,
    "portfolio:lines": Permission.VIEW_PORTFOLIO,
    "portfolio:lines_export": Permission.VIEW_PORTFOLIO,
    "portfolio:line": Permission.VIEW_PORTFOLIO,
    "portfolio:line_pdf": Permission.VIEW_PORTFOLIO,
    "portfolio:projections": Permission.VIEW_PORTFOLIO,
    "portfolio:guaranteed": Permission.VIEW_PORTFOLIO,
    "portfolio:statement_create": Permission.VIEW_PORTFOLIO,
    "portfolio:statement_download": Permission.VIEW_PORTFOLIO,
    "portfolio:disbursements": Permission.MANAGE_DISBURSEMENTS,
    "portfolio:disbursement_change": Permission.MANAGE_DISBURSEMENTS,
    "loan_requests:list": READ,
    "loan_requests:export": READ,
    "loan_requests:detail": READ,
    "loan_requests:file": READ,
    "loan_requests:new": EDIT,
    "loan_requests:summary": EDIT,
    "loan_requests:step": EDIT,
    "loan_requests:line_edit": EDIT,
    "loan_requests:line_delete": EDIT,
    "loan_requests:dwelling_delete": EDIT,
    "loan_requests:file_delete": EDIT,
    "loan_requests:submit": EDIT,
    "loan_requests:delete": EDIT,
    "loan_requests:complement": EDIT,
    "loan_requests:message": EDIT,
    "loan_requests:send": Permission.VALIDATE_LOAN_REQUESTS,
    "documents:library": Permission.VIEW_DOCUMENTS,
    "documents:download": Permission.VIEW_DOCUMENTS,
    "documents:email": Permission.VIEW_DOCUMENTS,
    "documents:deliberations": Permission.VIEW_DOCUMENTS,
    "documents:deliberation_docx": Permission.VIEW_DOCUMENTS,
    "documents:deliberation_odt": Permission.VIEW_DOCUMENTS,
    "documents:deliberation_pdf": Permission.VIEW_DOCUMENTS,
    "documents:request_deliberation": Permission.VIEW_DOCUMENTS,
    "documents:resources": CLIENT,
    "documents:resource_download": CLIENT,
    "backoffice:login": PUBLIC,
    "backoffice:otp": PUBLIC,
    "backoffice:enroll": PUBLIC,
    "backoffice:enrolment_link": PUBLIC,
    "backoffice:logout": PUBLIC,
}

# The API (/api/v1/) is not a session view: a bearer token of one establishment, its scopes, its
# expiry and its rate limit decide (tests/api prove each refusal: 401, 403, 404, 429). Its URLs are
# left out of this session matrix on purpose; every other URL must be classified above.
API_NAMESPACE = "api-v1:"
API_CATCH_ALL = "api_unknown"

# Back-office views: the staff permission each needs (after the second factor).
STAFF_ACCESS: dict[str, str | None] = {
    "backoffice:second_factor": None,  # any staff member past the second factor
    "backoffice:dashboard": "view_establishments",
    "backoffice:establishment": "view_establishments",
    "backoffice:succession": "assist_users",
    "backoffice:regenerate_letter": "assist_users",
    "backoffice:resend_identifier": "assist_users",
    "backoffice:unlock": "assist_users",
    "backoffice:deactivate": "assist_users",
    "backoffice:second_factor_reset": "assist_users",
    "backoffice:letters": "manage_letters",
    "backoffice:letters_export": "manage_letters",
    "backoffice:letter_pdf": "manage_letters",
    "backoffice:letter_requests": "manage_letters",
    "backoffice:letter_request": "manage_letters",
    "backoffice:letter_returned": "manage_letters",
    "backoffice:contacts": "answer_contact_requests",
    "backoffice:contact": "answer_contact_requests",
    "backoffice:contact_attachment": "answer_contact_requests",
    "backoffice:disbursements": "review_loan_requests",
    "backoffice:disbursement": "review_loan_requests",
    "backoffice:imports": "manage_registry",
    "backoffice:import": "manage_registry",
    "backoffice:dossiers": "review_loan_requests",
    "backoffice:dossier": "review_loan_requests",
    "backoffice:dossier_take": "review_loan_requests",
    "backoffice:dossier_documents": "review_loan_requests",
    "backoffice:dossier_status": "review_loan_requests",
    "backoffice:dossier_offer": "review_loan_requests",
    "backoffice:dossier_contract": "review_loan_requests",
    "backoffice:dossier_message": "review_loan_requests",
    "backoffice:dossier_file": "review_loan_requests",
    "backoffice:resources": "manage_resources",
    "backoffice:deliberation_edit": "manage_resources",
    "backoffice:deliberation_version": "manage_resources",
    "backoffice:resource_new": "manage_resources",
    "backoffice:resource": "manage_resources",
    "backoffice:resource_version": "manage_resources",
}
POST_ONLY = {
    "members:activate",
    "members:deactivate",
    "members:second_factor_reset",
    "backoffice:second_factor_reset",
    "members:reactivate",
    "accounts:account_email_resend",
    "backoffice:succession",
    "backoffice:regenerate_letter",
    "backoffice:resend_identifier",
    "backoffice:unlock",
    "backoffice:deactivate",
    "backoffice:letters_export",
    "backoffice:letter_returned",
    "simulators:save",
    "simulators:delete",
    "portfolio:statement_create",
    "loan_requests:line_delete",
    "loan_requests:dwelling_delete",
    "loan_requests:file_delete",
    "loan_requests:submit",
    "loan_requests:delete",
    "loan_requests:complement",
    "loan_requests:message",
    "loan_requests:send",
    "backoffice:dossier_take",
    "backoffice:dossier_documents",
    "backoffice:dossier_status",
    "backoffice:dossier_offer",
    "backoffice:dossier_contract",
    "backoffice:dossier_message",
    "documents:email",
}

# The object a URL's public_id names (default: a member of the establishment).
OBJECT_OF = {
    "simulators:reopen": "simulation",
    "simulators:delete": "simulation",
    "portfolio:line": "line",
    "portfolio:line_pdf": "line",
    "portfolio:disbursement_change": "line",
    "portfolio:statement_download": "statement",
    "loan_requests:complement": "dossier",
    "loan_requests:message": "dossier",
    "documents:request_deliberation": "draft",
    "documents:download": "document",
    "documents:email": "document",
    "documents:deliberation_docx": "guaranteed_line",
    "documents:deliberation_odt": "guaranteed_line",
    "documents:deliberation_pdf": "guaranteed_line",
    "documents:resource_download": "resource",
    "api_tokens:revoke": "api_token",
    "members:review_export": "access_review",
}
# Loan request URLs name a draft of the member's establishment unless said above.
for _name in ACCESS:
    if _name.startswith("loan_requests:"):
        OBJECT_OF.setdefault(_name, "draft")
# Parameters a URL takes besides public_id, per URL.
URL_VALUES_OF = {
    "loan_requests:step": {"slug": "operation"},
    "loan_requests:export": {"fmt": "xlsx"},
    "documents:request_deliberation": {"fmt": "docx"},
}
# Objects that are the same for every client (not an establishment's): no 404 for other establishments.
SHARED_OBJECTS = {"documents:resource_download"}
# Values for the URLs' other parameters.
URL_VALUES = {"fmt": "xlsx", "kind": "loan", "code": "plus", "slug": "inscription"}


def named_urls(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            found += named_urls(pattern.url_patterns, f"{ns}:" if pattern.namespace else namespace)
        elif pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def test_every_url_is_classified():
    unclassified = sorted(
        {
            name
            for name, _ in named_urls()
            if not name.startswith(("admin:", API_NAMESPACE))
            and name != API_CATCH_ALL
            and name not in ACCESS | STAFF_ACCESS
        }
    )
    assert unclassified == [], f"classify these views in ACCESS: {unclassified}"


PROTECTED = sorted(name for name, rule in ACCESS.items() if rule != PUBLIC)
PROFILES = ["anonymous", "no_permission", *[p.value for p in Permission], "staff"]


def _url(name: str, member) -> str:
    """The URL of `name` for objects of `member`'s establishment."""
    pattern = dict(named_urls())[name]
    values = {**URL_VALUES, **URL_VALUES_OF.get(name, {})}
    kwargs = {key: values[key] for key in pattern.pattern.converters if key in values}
    if "public_id" in pattern.pattern.converters:
        found = _object(name, member)
        kwargs["public_id"] = found.public_id
        if isinstance(found, LoanRequest):
            for key, value in _request_parts(found).items():
                if key in pattern.pattern.converters:
                    kwargs[key] = value
    return reverse(name, kwargs=kwargs)


def _request_parts(loan_request):
    return {
        "line_id": loan_request.lines.first().pk,
        "dwelling_id": loan_request.dwellings.first().pk,
        "file_id": loan_request.files.first().public_id,
        "guarantee_id": loan_request.lines.first().guarantees.first().pk,
    }


def _object(name: str, member):
    kind = OBJECT_OF.get(name)
    if kind == "simulation":
        author = UserFactory(establishment=member.establishment)
        return SimulationFactory(author=author)
    if kind == "line":
        line = LineFactory(contract__borrower=member.establishment, prefinancing=True)
        plan_disbursements(line, ["500000", "500000"], start=date(2027, 3, 1))
        return line
    if kind == "statement":
        return GuaranteedDebtStatementFactory(guarantor=member.establishment)
    if kind in {"draft", "dossier"}:
        return LoanRequestFactory(establishment=member.establishment, complete=True, sent=kind == "dossier")
    if kind == "document":
        return DocumentFactory(establishment=member.establishment)
    if kind == "guaranteed_line":  # the establishment's loan, guaranteed by a commune
        return LineFactory(
            contract__borrower=member.establishment, guarantors=[(EstablishmentFactory(commune=True), "100")]
        )
    if kind == "resource":
        return ResourceFactory()
    if kind == "api_token":
        return issue_token(member.establishment)[0]
    if kind == "access_review":
        return access_review_open(establishment=member.establishment)
    return member


def _expected(rule: object, profile: str) -> str:
    if profile == "anonymous":
        return "login"
    if profile == "staff":
        return "forbidden"
    if rule == CLIENT:
        return "allowed"
    if isinstance(rule, tuple):
        return "allowed" if profile in {str(p) for p in rule} else "forbidden"
    return "allowed" if profile == str(rule) else "forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PROTECTED)
@pytest.mark.parametrize("profile", PROFILES)
def test_matrix(client, name, profile):
    establishment = EstablishmentFactory()
    UserFactory(establishment=establishment, admin=True)  # the establishment keeps an administrator
    member = UserFactory(
        establishment=establishment, status=UserStatus.AWAITING_ADMIN, requested_permissions=["view_portfolio"]
    )
    if profile == "staff":
        client.force_login(UserFactory(establishment=None, is_staff=True))
    elif profile != "anonymous":
        permissions = [] if profile == "no_permission" else [profile]
        client.force_login(UserFactory(establishment=establishment, permissions=permissions))
    url = _url(name, member)
    response = client.post(url, {"reason": "départ"}) if name in POST_ONLY else client.get(url)
    expected = _expected(ACCESS[name], profile)
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/connexion/"), response
    elif expected == "forbidden":
        assert response.status_code == 403, response
    else:
        # Past the permission check; a POST-only action may refuse the (meaningless) data with a 400.
        assert response.status_code in ({200, 302, 400} if name in POST_ONLY else {200, 302}), response
        assert not response.get("Location", "").startswith("/connexion/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [n for n in PROTECTED if "public_id" in dict(named_urls())[n].pattern.converters and n not in SHARED_OBJECTS],
)
def test_other_establishment_administrator_gets_404(client, name):
    member = UserFactory(status=UserStatus.AWAITING_ADMIN)
    outsider = UserFactory(admin=True)  # administrator of another establishment
    client.force_login(outsider)
    url = _url(name, member)
    response = client.post(url, {"reason": "x"}) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.status == UserStatus.AWAITING_ADMIN
    assert Simulation.objects.filter(establishment=member.establishment).count() == (
        1 if OBJECT_OF.get(name) == "simulation" else 0
    )
    assert not DisbursementChangeRequest.objects.exists()
    if OBJECT_OF.get(name) in {"draft", "dossier"}:
        unchanged = LoanRequest.objects.get(establishment=member.establishment)
        assert unchanged.status == ("sent" if OBJECT_OF[name] == "dossier" else "draft")
        assert not unchanged.messages.exists() and unchanged.lines.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="document").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["documents:deliberation_docx", "documents:deliberation_odt", "documents:deliberation_pdf"]
)
def test_a_guarantor_gets_deliberations_only_for_loans_it_guarantees(client, name):
    commune = EstablishmentFactory(commune=True)
    guaranteed = LineFactory(guarantors=[(commune, "50"), (None, "50")])
    elsewhere = LineFactory(guarantors=[(EstablishmentFactory(commune=True), "100")])
    client.force_login(UserFactory(establishment=commune, permissions=[Permission.VIEW_DOCUMENTS]))
    assert client.get(reverse(name, kwargs={"public_id": guaranteed.public_id})).status_code == 200
    assert client.get(reverse(name, kwargs={"public_id": elsewhere.public_id})).status_code == 404


def blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _staff_objects():
    """One object of each kind a back-office URL can name."""
    establishment = EstablishmentFactory()
    member = UserFactory(establishment=establishment, awaiting_activation=True)
    letter = LetterFactory(account_holder=member, pdf_bytes=blank_pdf())
    contact = ContactRequestFactory(attachment_bytes=b"%PDF-1.4")
    change = DisbursementChangeFactory(line__contract__borrower=establishment)
    return {
        "establishment": establishment,
        "user": member,
        "letter": letter,
        "contact": contact,
        "change": change,
        "import": ImportRunFactory(),
        "dossier": LoanRequestFactory(establishment=establishment, sent=True),
        "resource": ResourceFactory(),
        "letter_request": LetterRequest.objects.create(
            establishment=establishment, account_holder=member, kind=LetterRequestKind.NOT_RECEIVED, letter=letter
        ),
    }


def _staff_url(name: str, objects) -> str:
    pattern = dict(named_urls())[name]
    numbers = {"number": 1} if "number" in pattern.pattern.converters else {}  # version 1 (data migration)
    if "public_id" not in pattern.pattern.converters:
        return reverse(name, kwargs=numbers)
    kind = {
        "establishment": "establishment",
        "succession": "establishment",
        "letter_pdf": "letter",
        "letter_returned": "letter",
        "letter_request": "letter_request",
        "contact": "contact",
        "contact_attachment": "contact",
        "disbursement": "change",
        "import": "import",
        "resource": "resource",
        "resource_version": "resource",
    }.get(name.split(":")[1], "dossier" if name.startswith("backoffice:dossier") else "user")
    kwargs = {"public_id": objects[kind].public_id, **numbers}
    if "file_id" in pattern.pattern.converters:
        kwargs["file_id"] = objects[kind].files.first().public_id
    return reverse(name, kwargs=kwargs)


STAFF_PROFILES = [
    "anonymous",
    "client_admin",
    "staff_unverified",
    "staff_no_role",
    "Assistance",
    "Chargé de prêts",
    "Gestionnaire de données",
]
ROLE_PERMISSIONS = {role: set(codenames) for role, codenames in STAFF_ROLES.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STAFF_ACCESS))
@pytest.mark.parametrize("profile", STAFF_PROFILES)
def test_backoffice_matrix(client, staff_factory, name, profile):
    from tests.conftest import verified_login

    objects = _staff_objects()
    if profile == "client_admin":
        verified_login(client, UserFactory(establishment=objects["establishment"], admin=True))
    elif profile == "staff_unverified":
        client.force_login(staff_factory("Assistance"))
    elif profile == "staff_no_role":
        verified_login(client, staff_factory(None))
    elif profile != "anonymous":
        staff = staff_factory(profile)
        staff.regional_office = objects["dossier"].regional_office  # a loan officer sees their office's dossiers
        staff.save()
        verified_login(client, staff)
    url = _staff_url(name, objects)
    response = client.post(url, {"reason": "test", "body": "x"}) if name in POST_ONLY else client.get(url)
    if profile in {"anonymous", "staff_unverified"}:
        assert response.status_code == 302 and response["Location"].startswith("/back-office/connexion/")
    elif profile == "client_admin" or (
        STAFF_ACCESS[name] is not None
        and (profile == "staff_no_role" or STAFF_ACCESS[name] not in ROLE_PERMISSIONS[profile])
    ):
        assert response.status_code == 403
    else:
        assert response.status_code in ({200, 302, 400} if name in POST_ONLY else {200, 302})
        assert not response.get("Location", "").startswith("/back-office/connexion/")


JUNK = {
    "client_number": "'; DROP TABLE--" * 5,
    "captcha": "x" * 5000,
    "username": "\x00" * 3,
    "password": "é" * 300,
    "email": "pas une adresse",
    "new_email": "@",
    "code": "abcd",
    "permissions": ["root"],
    "services": ["administer_users", "nope"],
    "reason": "x" * 1000,
    "body": "",
    "subject": "nope",
    "message": "y" * 6000,
    "q": "z" * 500,
    "status": "nope",
    "token": "\u202e" * 20,
    "page": "-1",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(ACCESS) | set(STAFF_ACCESS)))
def test_junk_input_never_gives_a_server_error(client, staff_factory, name):
    """Bad input anywhere gets a 4xx or a redirect, never a 500 (the test client re-raises errors)."""
    from tests.conftest import verified_login

    objects = _staff_objects()
    if name in STAFF_ACCESS:
        verified_login(client, staff_factory("Assistance"))
        url = _staff_url(name, objects)
    else:
        client.force_login(UserFactory(establishment=objects["establishment"], admin=True))
        pattern = dict(named_urls())[name]
        if "public_id" in pattern.pattern.converters or set(pattern.pattern.converters) & set(URL_VALUES):
            url = _url(name, objects["user"])
        elif "uidb64" in pattern.pattern.converters:
            url = reverse(name, kwargs={"uidb64": "!!", "token": "nope"})
        elif "token" in pattern.pattern.converters:
            url = reverse(name, kwargs={"token": "inconnu"})
        elif "slug" in pattern.pattern.converters:
            url = reverse(name, kwargs={"slug": "inconnu"})
        else:
            url = reverse(name)
    for response in (client.get(url, JUNK), client.post(url, JUNK)):
        assert response.status_code < 500, (url, response.status_code)
