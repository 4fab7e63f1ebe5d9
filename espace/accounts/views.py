from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.forms import LoginForm, NewPasswordForm
from espace.accounts.login import LoginOutcome, login_attempt, login_captcha_required
from espace.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from espace.accounts.models import User
from espace.accounts.perms import client_required
from espace.accounts.selectors import establishment_admins
from espace.accounts.services import user_set_first_password
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.models import AuditAction, NewsItem

FIRST_LOGIN_KEY = "first_login_user"
# Time allowed between the temporary code and the new password.
FIRST_LOGIN_WINDOW = timedelta(minutes=15)


def _start_session(request: HttpRequest, user: User) -> None:
    login(request, user, backend="espace.accounts.backends.EspaceBackend")
    now = clock.now().isoformat()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    audit_record(action=AuditAction.LOGIN_SUCCEEDED, actor=user, target=user, request=request)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(request.POST or None, captcha=login_captcha_required(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = login_attempt(
                request=request,
                identifier=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                captcha_solved=form.captcha_solved,
            )
            if result.ok and result.user is not None and result.user.establishment_id is None:
                # Lender staff go through their own entrance, with a second factor.
                form.add_error(None, "Équipes du prêteur : connectez-vous par l'accès back-office.")
                return render(request, "accounts/login.html", {"form": form}, status=403)
            if result.outcome == LoginOutcome.SUCCESS and result.user is not None:
                _start_session(request, result.user)
                return redirect("accounts:home")
            if result.outcome == LoginOutcome.MUST_CHANGE_PASSWORD and result.user is not None:
                request.session.cycle_key()
                request.session[FIRST_LOGIN_KEY] = {"user": result.user.pk, "at": clock.now().isoformat()}
                return redirect("accounts:first_login")
            if result.outcome == LoginOutcome.CAPTCHA_REQUIRED:
                form = LoginForm(request.POST, captcha=True)
            form.add_error(None, result.message)
            status = {LoginOutcome.LOCKED: 403, LoginOutcome.IP_THROTTLED: 429}.get(result.outcome, 400)
            form.outcome = result.outcome.value  # type: ignore[attr-defined]
    return render(request, "accounts/login.html", {"form": form}, status=status)


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def first_login(request: HttpRequest) -> HttpResponse:
    """« Première connexion »: choose a password before anything else."""
    pending = request.session.get(FIRST_LOGIN_KEY) or {}
    user = User.objects.filter(pk=pending.get("user", 0)).select_related("establishment").first() if pending else None
    if user is None or clock.now() - datetime.fromisoformat(pending["at"]) > FIRST_LOGIN_WINDOW:
        request.session.pop(FIRST_LOGIN_KEY, None)
        messages.warning(request, "Veuillez vous connecter avec votre identifiant et votre code temporaire.")
        return redirect("accounts:login")
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_set_first_password(user=user, password=form.cleaned_data["new_password1"], request=request)
        except ApplicationError as error:
            request.session.pop(FIRST_LOGIN_KEY, None)
            messages.error(request, error.message)
            return redirect("accounts:login")
        request.session.pop(FIRST_LOGIN_KEY, None)
        _start_session(request, user)
        messages.success(request, "Votre mot de passe est enregistré : votre compte est actif.")
        return redirect("accounts:home")
    return render(
        request, "accounts/first_login.html", {"form": form, "pending_user": user}, status=400 if form.errors else 200
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, actor=request.user, target=request.user, request=request)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("core:home")


# One entry per service of the client space; `url` is None while the service is not built yet.
SERVICES = [
    (Permission.CREATE_LOAN_REQUESTS, "Demandes de prêt", "Saisir et transmettre vos demandes de prêt en ligne.", None),
    (Permission.VIEW_DOSSIERS, "Dossiers", "Suivre vos dossiers en cours d'instruction.", None),
    (Permission.VIEW_PORTFOLIO, "Encours et échéances", "Consulter votre dette directe et votre dette garantie.", None),
    (Permission.VIEW_DOCUMENTS, "Documents", "Vos contrats, échéanciers et courriers.", None),
    (Permission.MANAGE_DISBURSEMENTS, "Échéanciers de versement", "Piloter vos échéanciers de versement.", None),
    (
        Permission.ADMINISTER_USERS,
        "Administration",
        "Gérer les utilisateurs de votre établissement.",
        reverse_lazy("members:list"),
    ),
]


@client_required
def home(request: HttpRequest) -> HttpResponse:
    """The personal home page (« page d'accueil personnalisée »)."""
    user: User = request.user  # type: ignore[assignment]
    services = [
        {"label": label, "description": description, "url": url}
        for permission, label, description, url in SERVICES
        if user.has_permission(permission)
    ]
    context = {
        "services": services,
        "admins": establishment_admins(request.establishment),  # type: ignore[attr-defined]
        "news": NewsItem.objects.filter(published=True)[:3],
        "role": "Administrateur" if user.is_establishment_admin else "Utilisateur",
        "pending_registrations": (
            request.establishment.users.filter(status=UserStatus.AWAITING_ADMIN).count()  # type: ignore[attr-defined]
            if user.is_establishment_admin
            else None
        ),
    }
    return render(request, "accounts/home.html", context)
