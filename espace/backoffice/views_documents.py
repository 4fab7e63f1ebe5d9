"""Back office, resources side (« Gestionnaire de données »): the guarantee deliberation template's
wording with its versions and a preview, and the files every client downloads (forms, product
sheets) with their versions."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from espace.accounts.http import StaffRequest
from espace.backoffice.enums import StaffPermission
from espace.backoffice.perms import staff_required
from espace.core.downloads import stored_file_response
from espace.core.exceptions import ApplicationError
from espace.documents.deliberations import (
    PLACEHOLDERS,
    TemplateSyntaxProblem,
    blocks_render,
    sample_values,
    template_check,
    version_label,
)
from espace.documents.forms import DeliberationTemplateForm, ResourceForm, ResourceVersionForm
from espace.documents.models import DeliberationTemplate, Resource
from espace.documents.selectors import deliberation_template_current
from espace.documents.services import deliberation_template_save, resource_create, resource_version_add


@staff_required(StaffPermission.MANAGE_RESOURCES)
def resources(request: StaffRequest) -> HttpResponse:
    context = {
        "templates": DeliberationTemplate.objects.order_by("-number")[:50],
        "current": deliberation_template_current(),
        "resources": Resource.objects.select_related("product").prefetch_related("versions"),
    }
    return render(request, "backoffice/resources.html", context)


def _preview(title: str, body: str) -> dict[str, object]:
    values = sample_values()
    return {
        "title": blocks_render(f"# {title}", values)[0].text if title.strip() else "",
        "blocks": blocks_render(body, values),
    }


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.MANAGE_RESOURCES)
def deliberation_edit(request: StaffRequest) -> HttpResponse:
    """Write a new version of the wording: « Aperçu » shows it on a fictional loan, « Enregistrer »
    saves it as version N + 1 (downloads use it at once)."""
    current = deliberation_template_current()
    initial = {"title": current.title, "body": current.body} if current else {}
    form = DeliberationTemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            try:
                template = deliberation_template_save(
                    title=data["title"], body=data["body"], note=data["note"], author=request.user
                )
            except ApplicationError as error:
                form.add_error("body", error.message)
            else:
                messages.success(request, f"Le {version_label(template)} est enregistré : il sert dès maintenant.")
                return redirect("backoffice:deliberation_version", number=template.number)
        else:
            try:
                template_check(data["body"])
                template_check(data["title"])
            except TemplateSyntaxProblem as problem:
                form.add_error("body", str(problem))
            else:
                preview = _preview(data["title"], data["body"])
    context = {"form": form, "current": current, "preview": preview, "placeholders": PLACEHOLDERS.items()}
    return render(request, "backoffice/deliberation_edit.html", context, status=400 if form.errors else 200)


@staff_required(StaffPermission.MANAGE_RESOURCES)
def deliberation_version(request: StaffRequest, number: int) -> HttpResponse:
    template = get_object_or_404(DeliberationTemplate, number=number)
    current = deliberation_template_current()
    context = {
        "template": template,
        "label": version_label(template),
        "is_current": current is not None and current.pk == template.pk,
        "preview": _preview(template.title, template.body),
    }
    return render(request, "backoffice/deliberation_version.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.MANAGE_RESOURCES)
def resource_new(request: StaffRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.checked_upload is not None:
        data = form.cleaned_data
        resource = resource_create(
            title=data["title"],
            category=data["category"],
            description=data["description"],
            product=data["product"],
            upload=form.checked_upload,
            file_name=data["file"].name,
            author=request.user,
        )
        messages.success(request, f"« {resource.title} » est publiée (version 1).")
        return redirect("backoffice:resource", public_id=resource.public_id)
    return render(request, "backoffice/resource_new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.MANAGE_RESOURCES)
def resource_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.select_related("product"), public_id=public_id)
    form = ResourceVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.checked_upload is not None:
        version = resource_version_add(
            resource=resource,
            upload=form.checked_upload,
            file_name=form.cleaned_data["file"].name,
            note=form.cleaned_data["note"],
            author=request.user,
        )
        messages.success(request, f"Version {version.number} de « {resource.title} » enregistrée.")
        return redirect("backoffice:resource", public_id=resource.public_id)
    context = {"resource": resource, "versions": resource.versions.all(), "form": form}
    return render(request, "backoffice/resource.html", context, status=400 if form.errors else 200)


@staff_required(StaffPermission.MANAGE_RESOURCES)
def resource_version_download(request: StaffRequest, public_id: UUID, number: int) -> FileResponse:
    resource = get_object_or_404(Resource, public_id=public_id)
    version = get_object_or_404(resource.versions, number=number)
    if not version.downloadable:
        raise Http404
    return stored_file_response(version.file, filename=version.file_name, content_type=version.mime_type)
