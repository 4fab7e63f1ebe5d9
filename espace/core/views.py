from __future__ import annotations

import sys

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from espace.core.exceptions import DATABASE_DOWN_ERRORS
from espace.core.models import DemoEmail
from espace.core.net import is_loopback


def page(request: HttpRequest, template: str) -> HttpResponse:
    context = {
        "terms_version": settings.TERMS_VERSION,
        "accessibility_statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
        "legal": {
            "publisher_address": settings.LENDER_POSTAL_ADDRESS,
            "publication_director": settings.LEGAL_PUBLICATION_DIRECTOR,
            "host_name": settings.LEGAL_HOST_NAME,
            "host_address": settings.LEGAL_HOST_ADDRESS,
            "privacy_contact": settings.LEGAL_PRIVACY_CONTACT,
        },
    }
    return render(request, f"core/pages/{template}.html", context)


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": f"indisponible ({type(error).__name__})"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@cache_control(max_age=3600)
def theme_css(request: HttpRequest) -> HttpResponse:
    """The lender's colours as CSS variables (no inline style: the CSP forbids it)."""
    css = (
        ":root{"
        f"--ep-primary:{settings.THEME_PRIMARY_COLOR};"
        f"--ep-secondary:{settings.THEME_SECONDARY_COLOR};"
        f"--ep-accent:{settings.THEME_ACCENT_COLOR};"
        f"--bs-primary:{settings.THEME_PRIMARY_COLOR};"
        f"--bs-link-color:{settings.THEME_PRIMARY_COLOR};"
        "}"
    )
    return HttpResponse(css, content_type="text/css")


def _demo_mailbox_enabled(request: HttpRequest) -> bool:
    """Only in the demo (DEBUG, no SMTP), and only to this machine: it shows every reset link."""
    return bool(settings.DEBUG and not settings.EMAIL_HOST and is_loopback(request))


def demo_mailbox(request: HttpRequest) -> HttpResponse:
    if not _demo_mailbox_enabled(request):
        raise Http404
    return render(request, "core/demo_mailbox.html", {"emails": DemoEmail.objects.all()[:100]})


def demo_email(request: HttpRequest, public_id: str) -> HttpResponse:
    if not _demo_mailbox_enabled(request):
        raise Http404
    email = get_object_or_404(DemoEmail, public_id=public_id)
    return render(request, "core/demo_email.html", {"email": email})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its `except`: a lost database answers 503 « service indisponible »
    (the service comes back by itself once the database does), anything else 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN_ERRORS):
        if request.path.startswith("/api/"):  # the establishments' software reads JSON (see espace.api)
            response: HttpResponse = JsonResponse(
                {"error": "unavailable", "message": "Service momentanément indisponible : réessayez.", "fields": []},
                status=503,
            )
        else:
            # Rendered without the request: its context processors would query the database again.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
