"""« Créer un compte » — the screens of the tutorial « S'inscrire en ligne », in order.

Progress lives in the session; each screen checks the state the previous one left, so a
step cannot be skipped by URL, and a finished registration cannot be replayed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.forms import CodeForm, NewPasswordForm
from espace.accounts.login import FIRST_LOGIN_KEY, session_start
from espace.accounts.models import User
from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.core.net import client_ip
from espace.core.throttle import throttle_hit
from espace.establishments.models import Establishment
from espace.establishments.selectors import establishment_by_client_number
from espace.registration.enums import RegistrationKind
from espace.registration.forms import (
    AdministratorTermsForm,
    ClientNumberForm,
    IdentityForm,
    MemberDetailsForm,
    MemberRegistrationForm,
    MemberTermsForm,
)
from espace.registration.models import Registration
from espace.registration.selectors import registration_kind_for
from espace.registration.services import (
    AdministratorTakenError,
    Identity,
    first_password_set,
    registration_complete,
    registration_continue_as_member,
    registration_send_code,
    registration_set_member_details,
    registration_start,
    registration_verify_code,
)

SESSION_KEY = "registration"
# The step indicator of « Créer mon compte » (templates/includes/stepper.html).
STEPS = ["Numéro client", "Conditions d'utilisation", "Identité", "Code reçu par e-mail", "Compte créé"]
TEMPLATE_STEP = {
    "registration/step1.html": 0,
    "registration/step2.html": 1,
    "registration/identity.html": 2,
    "registration/member_details.html": 2,
    "registration/code.html": 3,
    "registration/done.html": 4,
}


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    current = TEMPLATE_STEP[template]
    steps = [
        {"label": label, "state": "done" if index < current else "current" if index == current else "todo"}
        for index, label in enumerate(STEPS)
    ]
    if current == len(STEPS) - 1:
        steps[-1]["state"] = "done"
    return render(request, template, {**(context or {}), "steps": steps}, status=status)


def _state(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY) or {})


def _save_state(request: HttpRequest, **values: Any) -> None:
    request.session[SESSION_KEY] = {**_state(request), **values}


def _restart(request: HttpRequest, message: str = "") -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    if message:
        messages.warning(request, message)
    return redirect("registration:step1")


def _establishment(state: dict[str, Any]) -> Establishment | None:
    if not state.get("establishment"):
        return None
    return Establishment.objects.filter(public_id=state["establishment"], is_active=True).first()


def _registration(state: dict[str, Any]) -> Registration | None:
    if not state.get("registration"):
        return None
    return Registration.objects.select_related("establishment").filter(public_id=state["registration"]).first()


def register_question(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/question.html")


def register_not_eligible(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/not_eligible.html")


@require_http_methods(["GET", "POST"])
def register_step1(request: HttpRequest) -> HttpResponse:
    form = ClientNumberForm(request.POST or None)
    status = 200
    unknown_number = False
    if request.method == "POST":
        attempts = throttle_hit(key=f"registration-ip:{client_ip(request)}", window=settings.REGISTRATION_IP_WINDOW)
        if attempts > settings.REGISTRATION_IP_LIMIT:
            form.add_error(None, "Trop de tentatives depuis votre adresse. Veuillez réessayer dans 10 minutes.")
            return _render(request, "registration/step1.html", {"form": form}, status=429)
        if form.is_valid():
            establishment = establishment_by_client_number(form.cleaned_data["client_number"])
            if establishment is not None:
                request.session.pop(SESSION_KEY, None)
                request.session.cycle_key()
                _save_state(request, establishment=str(establishment.public_id), step="terms")
                return redirect("registration:step2")
            form.add_error(
                "client_number",
                f"Ce numéro client n'est pas reconnu. Vérifiez-le sur un courrier de {settings.LENDER_NAME} "
                "(sans les 0 initiaux).",
            )
            unknown_number = True
        status = 400
    return _render(request, "registration/step1.html", {"form": form, "unknown_number": unknown_number}, status=status)


@require_http_methods(["GET", "POST"])
def register_step2(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    establishment = _establishment(state)
    if establishment is None or state.get("step") not in {"terms", "identity"}:
        return _restart(request, "Veuillez commencer par saisir votre numéro client.")
    kind = registration_kind_for(establishment)
    form_class = AdministratorTermsForm if kind == RegistrationKind.ADMINISTRATOR else MemberTermsForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _save_state(request, kind=kind.value, step="identity")
            return redirect("registration:identity")
    context = {"form": form, "establishment": establishment, "kind": kind}
    return _render(request, "registration/step2.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def register_identity(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    establishment = _establishment(state)
    if establishment is None:
        return _restart(request, "Veuillez commencer par saisir votre numéro client.")
    if state.get("step") == "code":
        return redirect("registration:code")
    if state.get("step") != "identity":
        return redirect("registration:step2")
    kind = RegistrationKind(state["kind"])
    if kind == RegistrationKind.ADMINISTRATOR and registration_kind_for(establishment) != kind:
        # Someone became administrator since the previous screen: show the CAS 2 screen.
        _save_state(request, step="terms")
        messages.info(request, "Un administrateur vient d'être désigné pour votre établissement.")
        return redirect("registration:step2")
    form_class = IdentityForm if kind == RegistrationKind.ADMINISTRATOR else MemberRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and not _identity_try_allowed(request, state):
        # The « identifier taken » answer must not become an oracle: a few tries per registration
        # (each registration costs a CAPTCHA) and per address.
        form.errors.clear()
        form.add_error(
            None,
            "Vous avez fait trop d'essais pour cette étape. Pour votre sécurité, recommencez votre inscription "
            "un peu plus tard (numéro client et vérification anti-robot).",
        )
        context = {"form": form, "establishment": establishment, "kind": kind}
        return _render(request, "registration/identity.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_start(
                establishment=establishment,
                kind=kind,
                identity=Identity(
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    phone=data.get("phone") or "",
                    job_title=data.get("job_title") or "",
                ),
                password=data.get("password1", ""),
                password_confirmation=data.get("password2", ""),
                requested_permissions=data.get("services", []),
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            _save_state(request, registration=str(registration.public_id), step="code")
            return redirect("registration:code")
    context = {"form": form, "establishment": establishment, "kind": kind}
    return _render(request, "registration/identity.html", context, status=400 if form.errors else 200)


def _identity_try_allowed(request: HttpRequest, state: dict[str, Any]) -> bool:
    tries = int(state.get("identity_tries", 0)) + 1
    _save_state(request, identity_tries=tries)
    per_ip = throttle_hit(key=f"registration-identity-ip:{client_ip(request)}", window=settings.REGISTRATION_IP_WINDOW)
    return tries <= settings.REGISTRATION_IDENTITY_TRIES and per_ip <= settings.REGISTRATION_IDENTITY_IP_LIMIT


def _finish(request: HttpRequest, registration: Registration) -> HttpResponse:
    try:
        registration_complete(registration=registration)
    except AdministratorTakenError as error:
        registration_continue_as_member(registration=registration)
        _save_state(request, kind=RegistrationKind.MEMBER.value, step="member_details")
        messages.warning(request, error.message)
        return redirect("registration:member_details")
    except ApplicationError as error:
        return _restart(request, error.message)
    _save_state(request, step="done")
    return redirect("registration:done")


@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    registration = _registration(state)
    if state.get("step") == "done":
        return redirect("registration:done")
    if state.get("step") == "member_details":
        return redirect("registration:member_details")
    if registration is None or state.get("step") != "code":
        return _restart(request, "Veuillez commencer par saisir votre numéro client.")
    if not registration.is_open:
        return _restart(request, "Votre inscription a expiré. Veuillez recommencer.")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = registration_verify_code(registration=registration, code=form.cleaned_data["code"])
        if error is None:
            return _finish(request, registration)
        form.add_error("code", error)
    context = {"form": form, "registration": registration, "establishment": registration.establishment}
    return _render(request, "registration/code.html", context, status=400 if form.errors else 200)


@require_POST
def register_code_resend(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    registration = _registration(state)
    if registration is None or state.get("step") != "code":
        return _restart(request, "Veuillez commencer par saisir votre numéro client.")
    try:
        registration_send_code(registration=registration)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Un nouveau code a été envoyé à {registration.email}.")
    return redirect("registration:code")


@require_http_methods(["GET", "POST"])
def register_member_details(request: HttpRequest) -> HttpResponse:
    """Only for a first user overtaken by another one: complete the CAS 2 answers."""
    state = _state(request)
    registration = _registration(state)
    if registration is None or state.get("step") != "member_details":
        return _restart(request, "Veuillez commencer par saisir votre numéro client.")
    form = MemberDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_set_member_details(
                registration=registration,
                password=form.cleaned_data["password1"],
                password_confirmation=form.cleaned_data["password2"],
                requested_permissions=form.cleaned_data["services"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            return _finish(request, registration)
    context = {"form": form, "registration": registration, "establishment": registration.establishment}
    return _render(request, "registration/member_details.html", context, status=400 if form.errors else 200)


def register_done(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    registration = _registration(state)
    if registration is None or state.get("step") != "done" or registration.user_id is None:
        return _restart(request)
    return _render(request, "registration/done.html", {"registration": registration})


@require_POST
def register_finish(request: HttpRequest) -> HttpResponse:
    """« Terminer »: forget the registration in this browser and go back to the home page."""
    request.session.pop(SESSION_KEY, None)
    return redirect("accounts:public_home")


@require_POST
def register_cancel(request: HttpRequest) -> HttpResponse:
    """« Annuler »: nothing is kept; an open registration simply expires."""
    request.session.pop(SESSION_KEY, None)
    return redirect("accounts:public_home")


# Time allowed between the temporary code and the new password.
FIRST_LOGIN_WINDOW = timedelta(minutes=15)


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
            user = first_password_set(user=user, password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            request.session.pop(FIRST_LOGIN_KEY, None)
            messages.error(request, error.message)
            return redirect("accounts:login")
        request.session.pop(FIRST_LOGIN_KEY, None)
        session_start(request, user)
        messages.success(request, "Votre mot de passe est enregistré : votre compte est actif.")
        return redirect("accounts:home")
    return render(
        request,
        "registration/first_login.html",
        {"form": form, "pending_user": user},
        status=400 if form.errors else 200,
    )
