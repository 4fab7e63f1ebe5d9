from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.forms import LoginForm
from espace.accounts.http import ClientRequest
from espace.accounts.login import (
    FIRST_LOGIN_KEY,
    LoginOutcome,
    login_attempt,
    login_captcha_required,
    session_end,
)
from espace.accounts.middleware import NETWORK_REFUSED
from espace.accounts.page_versions import USERS
from espace.accounts.perms import client_required
from espace.accounts.second_factor import login_proceed
from espace.accounts.selectors import establishment_admins
from espace.core import clock
from espace.core.home_notices import home_notices_for
from espace.core.models import NewsItem
from espace.core.net import address_allowed, client_ip
from espace.core.page_cache import page_cached
from espace.core.page_versions import NEWS


def public_home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the services are, the login box, « Première inscription ? »."""
    if request.user.is_authenticated and getattr(request, "establishment", None) is not None:
        return redirect("accounts:home")
    return render(request, "core/home.html", {"login_form": LoginForm(captcha=login_captcha_required())})


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(request.POST or None, captcha=login_captcha_required())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = login_attempt(
                identifier=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                captcha_solved=form.captcha_solved,
            )
            if result.ok and result.user is not None and result.user.establishment_id is None:
                # Lender staff go through their own entrance, with a second factor.
                form.add_error(None, "Équipes du prêteur : connectez-vous par l'accès back-office.")
                return render(request, "accounts/login.html", {"form": form}, status=403)
            establishment = result.user.establishment if result.ok and result.user is not None else None
            if establishment is not None and not address_allowed(client_ip(request), establishment.web_networks):
                # Told only to whoever gave the right password (no oracle on the policy).
                form.add_error(None, NETWORK_REFUSED)
                return render(request, "accounts/login.html", {"form": form}, status=403)
            if result.outcome == LoginOutcome.SUCCESS and result.user is not None:
                return redirect(login_proceed(request, result.user))
            if result.outcome == LoginOutcome.MUST_CHANGE_PASSWORD and result.user is not None:
                request.session.cycle_key()
                request.session[FIRST_LOGIN_KEY] = {"user": result.user.pk, "at": clock.now().isoformat()}
                return redirect("registration:first_login")
            if result.outcome == LoginOutcome.CAPTCHA_REQUIRED:
                form = LoginForm(request.POST, captcha=True)
            form.add_error(None, result.message)
            status = {LoginOutcome.LOCKED: 403, LoginOutcome.IP_THROTTLED: 429}.get(result.outcome, 400)
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    session_end(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("accounts:public_home")


# One entry per service of the client space; `url` is None while the service is not built yet.
SERVICES = [
    (
        (Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS),
        "Demandes de prêt",
        "Saisir et transmettre vos demandes de prêt en ligne.",
        reverse_lazy("loan_requests:list"),
    ),
    (
        Permission.VIEW_DOSSIERS,
        "Dossiers",
        "Suivre vos dossiers en cours d'instruction.",
        reverse_lazy("loan_requests:list"),
    ),
    (
        Permission.VIEW_PORTFOLIO,
        "Encours et échéances",
        "Consulter votre dette directe et votre dette garantie.",
        reverse_lazy("portfolio:dashboard"),
    ),
    (
        Permission.VIEW_DOCUMENTS,
        "Documents",
        "Vos contrats, avis d'échéance, courriers et modèles de délibération de garantie.",
        reverse_lazy("documents:library"),
    ),
    (
        Permission.MANAGE_DISBURSEMENTS,
        "Échéanciers de versement",
        "Piloter vos échéanciers de versement.",
        reverse_lazy("portfolio:disbursements"),
    ),
    (
        Permission.ADMINISTER_USERS,
        "Administration",
        "Gérer les utilisateurs de votre établissement.",
        reverse_lazy("members:list"),
    ),
]


@client_required
@page_cached(USERS, shared=(NEWS,))  # its administrators, registrations and review
def home(request: ClientRequest) -> HttpResponse:
    """The personal home page (« page d'accueil personnalisée »)."""
    user = request.user
    services = [
        {"label": label, "description": description, "url": url}
        for permissions, label, description, url in SERVICES
        if any(user.has_permission(p) for p in (permissions if isinstance(permissions, tuple) else (permissions,)))
    ]
    context = {
        "services": services,
        "admins": establishment_admins(request.establishment).only("first_name", "last_name"),
        "news": NewsItem.objects.filter(published=True)[:3],
        "role": "Administrateur" if user.is_establishment_admin else "Utilisateur",
        "notices": home_notices_for(user),
        "pending_registrations": (
            request.establishment.users.filter(status=UserStatus.AWAITING_ADMIN).count()
            if user.is_establishment_admin
            else None
        ),
    }
    return render(request, "accounts/home.html", context)
