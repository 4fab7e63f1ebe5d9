"""« Documents »: the establishment's library (download, « Recevoir par e-mail »), the prefilled
guarantee deliberation templates; « Ressources »: forms and product sheets for every client.

Every document is fetched through `request.establishment` on every request: another
establishment's id answers 404, and files are always served as attachments.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from espace.accounts.enums import Permission
from espace.accounts.http import ClientRequest
from espace.accounts.perms import client_required, permission_required
from espace.core.downloads import stored_file_response
from espace.core.exceptions import ApplicationError
from espace.core.page_cache import page_cached
from espace.core.replica import reads_from_replica
from espace.core.uploads import scan_explanation
from espace.documents.enums import RESOURCE_HEADINGS, DeliberationFormat, ResourceCategory
from espace.documents.forms import LibraryFilterForm
from espace.documents.models import Resource
from espace.documents.page_versions import DOCUMENTS
from espace.documents.perms import may_see_library
from espace.documents.selectors import (
    deliberation_guarantee,
    deliberation_lines,
    documents_of,
    library_filtered,
    library_page,
    library_years,
    request_guarantee_for,
    resource_current_version,
    resources_published,
)
from espace.documents.services import (
    deliberation_generate,
    document_download_record,
    document_email_request,
    request_deliberation_generate,
)
from espace.portfolio.page_versions import PORTFOLIO, SHARED_SCOPES

PAGE_SIZE = 25
FILTERS = ("kind", "year", "loan", "dossier")


@reads_from_replica
@permission_required(Permission.VIEW_DOCUMENTS)
@page_cached(DOCUMENTS, PORTFOLIO, shared=SHARED_SCOPES, params=(*FILTERS, "page"))  # the loans they name
def library(request: ClientRequest) -> HttpResponse:
    years = library_years(request.establishment)
    form = LibraryFilterForm(request.GET or None, years=years)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    documents = library_filtered(request.establishment, **filters)
    page = library_page(documents, page_number=request.GET.get("page"), per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters),
        "back": request.get_full_path(),
    }
    return render(request, "documents/library.html", context, status=400 if form.errors else 200)


@permission_required(Permission.VIEW_DOCUMENTS)
def download(request: ClientRequest, public_id: UUID) -> FileResponse:
    document = get_object_or_404(documents_of(request.establishment), public_id=public_id)
    if not document.downloadable:
        raise Http404(scan_explanation(document.scan_status))
    document_download_record(document=document, user=request.user)
    return stored_file_response(document.file, filename=document.file_name, content_type=document.mime_type)


def _back(request: ClientRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/documents/"


@require_POST
@permission_required(Permission.VIEW_DOCUMENTS)
def email(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """« Recevoir par e-mail »: to the user's own address only (no address is ever read from the form)."""
    document = get_object_or_404(documents_of(request.establishment), public_id=public_id)
    try:
        document_email_request(document=document, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"« {document.title} » vous est envoyé en pièce jointe à {request.user.email} dans quelques instants.",
        )
    return redirect(_back(request))


@permission_required(Permission.VIEW_DOCUMENTS)
def deliberations(request: ClientRequest) -> HttpResponse:
    """The lines a deliberation can be prepared for (guaranteed by the establishment, or its own)."""
    page = Paginator(deliberation_lines(request.establishment), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": "", "formats": DeliberationFormat.choices}
    return render(request, "documents/deliberations.html", context)


@permission_required(Permission.VIEW_DOCUMENTS)
def deliberation(request: ClientRequest, public_id: UUID, fmt: str) -> HttpResponse:
    """The current template prefilled for a guarantee of the line: a guarantor gets only its own
    guarantee of a line it guarantees; the borrower picks the guarantor (`?garant=`)."""
    guarantor: UUID | None = None
    if request.GET.get("garant"):
        try:
            guarantor = UUID(request.GET["garant"])
        except ValueError:
            raise Http404 from None
    guarantee = deliberation_guarantee(request.establishment, public_id, guarantor)
    if guarantee is None:
        raise Http404
    try:
        generated = deliberation_generate(guarantee=guarantee, fmt=DeliberationFormat(fmt), user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("documents:deliberations")
    response = HttpResponse(generated.content, content_type=generated.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{generated.file_name}"'
    return response


@permission_required(Permission.VIEW_DOCUMENTS)
def request_deliberation(request: ClientRequest, public_id: UUID, guarantee_id: int, fmt: str) -> HttpResponse:
    """The deliberation for a guarantee planned in one of the establishment's loan requests
    (before the contract: the borrower sends it to its guarantor with the request)."""
    guarantee = request_guarantee_for(request.establishment, public_id, guarantee_id)
    if guarantee is None or fmt not in DeliberationFormat.values:
        raise Http404
    try:
        generated = request_deliberation_generate(guarantee=guarantee, fmt=DeliberationFormat(fmt), user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("loan_requests:detail", public_id=public_id)
    response = HttpResponse(generated.content, content_type=generated.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{generated.file_name}"'
    return response


@client_required
def resources(request: ClientRequest) -> HttpResponse:
    """« Ressources et outils »: forms and product sheets (current versions), and the way to the
    prefilled deliberation templates."""
    items = list(resources_published())
    groups = [
        (RESOURCE_HEADINGS[category], [item for item in items if item.category == category])
        for category in ResourceCategory
    ]
    context = {
        "groups": [(label, group) for label, group in groups if group],
        "can_documents": may_see_library(request.user),
    }
    return render(request, "documents/resources.html", context)


@client_required
def resource_download(request: ClientRequest, public_id: UUID) -> FileResponse:
    resource = get_object_or_404(Resource.objects.filter(published=True), public_id=public_id)
    version = resource_current_version(resource)
    if version is None:
        raise Http404
    return stored_file_response(version.file, filename=version.file_name, content_type=version.mime_type)
