from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from espace.accounts.http import AppRequest
from espace.accounts.models import User
from espace.core.net import client_ip
from espace.core.pdf import render_pdf
from espace.core.throttle import throttle_hit
from espace.core.uploads import InfectedFileError
from espace.support.enums import ContactSubject
from espace.support.faq import faq_search
from espace.support.forms import ContactForm, FaqSearchForm
from espace.support.help import HELP_PAGES, HelpPage
from espace.support.models import ContactRequest
from espace.support.services import contact_request_create, contact_upload_refused

SENT_SESSION_KEY = "contact_sent"


def _client_user(request: AppRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and request.establishment is not None:
        return user
    return None


@require_http_methods(["GET", "POST"])
def contact(request: AppRequest) -> HttpResponse:
    """« Formulaire de contact en ligne », public and in the client space."""
    user = _client_user(request)
    initial = {"subject": request.GET.get("objet", "")} if request.GET.get("objet") in ContactSubject.values else {}
    form = ContactForm(request.POST or None, request.FILES or None, authenticated=user is not None, initial=initial)
    if request.method == "POST":
        if form.is_valid() and not _contact_allowed(request, user.email if user else form.cleaned_data["sender_email"]):
            form.add_error(
                None,
                f"Vous avez déjà envoyé {settings.CONTACT_LIMIT_PER_HOUR} demandes dans l'heure. Veuillez réessayer "
                f"plus tard, ou appelez l'assistance au {settings.ASSISTANCE_PHONE}.",
            )
            context = {"form": form, "client_user": user}
            return render(request, "support/contact.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            contact_request = contact_request_create(
                subject=ContactSubject(data["subject"]),
                message=data["message"],
                sender_name=user.get_full_name() if user else data["sender_name"],
                sender_email=user.email if user else data["sender_email"],
                sender_phone=user.phone if user else data.get("sender_phone", ""),
                organisation="" if user else data.get("organisation", ""),
                client_number="" if user else data.get("client_number", ""),
                user=user,
                attachment=form.checked_upload,
                attachment_name=data["attachment"].name if data.get("attachment") else "",
            )
            # Post/redirect/get: reloading the confirmation never sends the message twice.
            request.session[SENT_SESSION_KEY] = str(contact_request.public_id)
            return redirect("support:contact_sent")
        infected = [e for e in form.errors.as_data().get("attachment", []) if isinstance(e, InfectedFileError)]
        for error in infected:
            contact_upload_refused(user=user, signature=error.signature)
    return render(
        request, "support/contact.html", {"form": form, "client_user": user}, status=400 if form.errors else 200
    )


def contact_sent(request: HttpRequest) -> HttpResponse:
    public_id = request.session.get(SENT_SESSION_KEY)
    contact_request = ContactRequest.objects.filter(public_id=public_id).first() if public_id else None
    if contact_request is None:
        return redirect("support:contact")
    return render(request, "support/contact_sent.html", {"contact": contact_request})


def _contact_allowed(request: HttpRequest, email: str) -> bool:
    """At most CONTACT_LIMIT_PER_HOUR messages per address and per sender e-mail: the form sends an
    acknowledgment to the address typed, so it must not become a way to mail anyone."""
    window = timedelta(hours=1)
    by_ip = throttle_hit(key=f"contact-ip:{client_ip(request)}", window=window)
    by_email = throttle_hit(key=f"contact-email:{email.strip().lower()}", window=window)
    return max(by_ip, by_email) <= settings.CONTACT_LIMIT_PER_HOUR


_URL_PLACEHOLDER = re.compile(r"\{url:([a-z_]+:[a-z_]+)\}")


def _answer_html(answer: str) -> str:
    def link(match: re.Match[str]) -> str:
        url = reverse(match.group(1))
        return f'<a href="{url}">{url}</a>'

    return mark_safe(_URL_PLACEHOLDER.sub(link, escape(answer)))  # noqa: S308 — escaped above, links are ours


def faq(request: HttpRequest) -> HttpResponse:
    form = FaqSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    sections = [
        {
            "title": section.title,
            "entries": [
                {"anchor": e.anchor, "question": e.question, "answer": _answer_html(e.answer)} for e in section.entries
            ],
        }
        for section in faq_search(query)
    ]
    return render(request, "support/faq.html", {"form": form, "sections": sections, "query": query})


def _help(slug: str) -> HelpPage:
    page = HELP_PAGES.get(slug)
    if page is None:
        raise Http404
    return page


def help_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = _help(slug)
    return render(request, "support/help.html", {"page": page, "slug": slug})


def help_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    page = _help(slug)
    pdf = render_pdf(template="support/help_pdf.html", context={"page": page, "site_url": settings.SITE_URL})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tutoriel-{slug}.pdf"'
    return response
