"""The API against its own OpenAPI document (schemathesis): for a bounded number of generated
requests per operation — valid and invalid parameters (positive and negative modes) —, never a
server error, and every answer (status, content type, headers, body) as the document says.

Runs in `make test` (so in CI), on a database with a few loans (tests.portfolio.factories.World),
a dossier of the token's establishment (with a timeline, documents asked for, a CGLLS guarantee)
and documents of its library (one clean, one made by the service, one still being scanned).
SCHEMATHESIS_EXAMPLES sets the number of examples per operation and mode (25 by default).
(schemathesis' own pytest parametrisation does not run under pytest 9: the operations are walked
here, each with its own hypothesis run.)"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance, response_schema_conformance

from espace.core import clock
from espace.core.uploads import ScanStatus
from espace.loan_requests.enums import EventKind, RequestStatus
from espace.loan_requests.models import DocumentRequest, DossierEvent, PlannedGuarantee
from espace.portfolio.enums import GuarantorKind
from tests.api.factories import dossier_of, issue_token
from tests.documents.factories import DocumentFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


# Rules the document cannot state, for which a well-formed value is still refused with a 400:
# a cursor the API did not make, an end date before the start date.
REFUSED_THOUGH_WELL_FORMED = {"cursor", "due_to"}
# A document whose antivirus scan is not over answers 409 (documented), whatever the parameters.
CONFLICT_ALLOWED = {"/api/v1/documents/{document_id}/content"}


def call_and_validate(case) -> None:
    response = case.call()
    # ignored_auth would take our valid token for a generated one: unknown and missing tokens are
    # asked for below, on every operation.
    case.validate_response(response, excluded_checks=[positive_data_acceptance, ignored_auth])
    if case.meta.generation.mode.is_positive and response.status_code == 400:
        fields = {item["field"] for item in response.json()["fields"]}
        assert fields and fields <= REFUSED_THOUGH_WELL_FORMED, (case.as_curl_command(), response.text)
    elif case.meta.generation.mode.is_positive:
        expected = {200, 304, 404} | ({409} if case.operation.path in CONFLICT_ALLOWED else set())
        assert response.status_code in expected, (case.as_curl_command(), response.status_code)


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler without closing the database connection after each request (as the
    test client does): the test's transaction holds the data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def dossier_world(establishment, staff) -> dict[str, list[str]]:
    """A dossier and library documents of `establishment`: the identifiers to ask for, per path parameter."""
    dossier = dossier_of(establishment, status=RequestStatus.DOCUMENTS_REQUESTED)
    line = dossier.lines.get()
    line.guarantees.update(share_percent=50)
    PlannedGuarantee.objects.create(line=line, kind=GuarantorKind.CGLLS, share_percent=50)
    DocumentRequest.objects.create(request=dossier, requested_by=staff, reason="Bilan 2025", due_on=clock.today())
    for kind, status, from_office in [
        (EventKind.SENT, RequestStatus.SENT, False),
        (EventKind.ASSIGNED, RequestStatus.UNDER_REVIEW, True),
        (EventKind.MESSAGE, "", True),
        (EventKind.DOCUMENTS_REQUESTED, RequestStatus.DOCUMENTS_REQUESTED, True),
    ]:
        DossierEvent.objects.create(request=dossier, kind=kind, status=status, from_office=from_office, note="Note")
    clean = DocumentFactory(establishment=establishment, dossier_number=dossier.dossier_number)
    made = DocumentFactory(establishment=establishment, made_by_service=True)
    pending = DocumentFactory(establishment=establishment, scan_status=ScanStatus.PENDING)
    return {
        "dossier_id": [str(dossier.public_id)],
        "document_id": [str(clean.public_id), str(made.public_id), str(pending.public_id)],
    }


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_matches_its_openapi_document(world, settings, wsgi_app, mode):
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # time is frozen here: one window for every example
    _token, clear = issue_token(world.commune, scopes=("portfolio", "dossiers", "documents"))
    credentials = {"Authorization": f"Bearer {clear}"}
    # Random identifiers find only 404s: also ask for objects the token may read.
    known = {"loan_id": [str(world.other.public_id)], **dossier_world(world.commune, world.reader)}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # A valid token on every case, so that the parameters are what the API judges (tests/api
            # test_tokens covers missing, unknown, expired and revoked tokens).
            case.headers = {**(case.headers or {}), **credentials}
            call_and_validate(case)
            for name, identifiers in known.items():
                if case.path_parameters and name in case.path_parameters:
                    for identifier in identifiers:
                        case.path_parameters[name] = identifier
                        call_and_validate(case)

        check()
        for refused in ({"Authorization": "Bearer ep_faux"}, {}):
            case = operation.Case(
                path_parameters={name: ids[0] for name, ids in known.items() if f"{{{name}}}" in operation.path}
            )
            if operation.path == "/api/v1/instalments":
                case.query = {"due_from": "2027-01-01", "due_to": "2027-12-31"}
            case.headers = refused
            response = case.call()
            assert response.status_code == 401, (operation.path, response.status_code)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
