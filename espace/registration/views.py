"""« Créer un compte » — the screens of the tutorial « S'inscrire en ligne », in order.

Each screen serves one step of the wizard (espace.registration.enums.RegistrationStep) and the
guard `wizard_screen` lets it open only at that step, so a step cannot be skipped by URL and a
finished registration cannot be replayed. Before the registration exists the session holds the
establishment and the accepted terms; from then on the registration holds its step, and its
services move it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.forms import CodeForm, NewPasswordForm
from espace.accounts.login import FIRST_LOGIN_KEY
from espace.accounts.models import User
from espace.accounts.second_factor import login_proceed
from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.establishments.models import Establishment
from espace.establishments.selectors import establishment_by_client_number
from espace.registration.enums import RegistrationKind, RegistrationStep
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
    TooManyTriesError,
    first_password_set,
    registration_complete,
    registration_continue_as_member,
    registration_identity_try,
    registration_number_try,
    registration_send_code,
    registration_set_member_details,
    registration_start,
    registration_verify_code,
)

SESSION_KEY = "registration"
START_AGAIN = "Veuillez commencer par saisir votre numéro client."
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


@dataclass(frozen=True)
class Wizard:
    """This browser's registration in progress: what the session names, read from the database."""

    establishment: Establishment | None = None
    kind: RegistrationKind | None = None
    registration: Registration | None = None
    tries: int = 0
    step: RegistrationStep | None = None

    @classmethod
    def of(cls, request: HttpRequest) -> Wizard:
        state = _state(request)
        if state.get("registration"):
            # From the code on, the registration holds the step (None once it is gone: expired).
            registration = (
                Registration.objects.select_related("establishment").filter(public_id=state["registration"]).first()
            )
            step = RegistrationStep(registration.step) if registration is not None else None
            return cls(registration=registration, step=step)
        establishment = (
            Establishment.objects.filter(public_id=state["establishment"], is_active=True).first()
            if state.get("establishment")
            else None
        )
        if establishment is None:
            return cls()
        kind = RegistrationKind(state["kind"]) if state.get("kind") else None
        step = RegistrationStep.IDENTITY if kind is not None else RegistrationStep.TERMS
        return cls(establishment=establishment, kind=kind, tries=int(state.get("identity_tries", 0)), step=step)


WizardView = Callable[[HttpRequest, Wizard], HttpResponse]


def wizard_screen(
    *steps: RegistrationStep, elsewhere: Mapping[RegistrationStep, str] | None = None, message: str = START_AGAIN
) -> Callable[[WizardView], Callable[[HttpRequest], HttpResponse]]:
    """The screen opens at `steps` only: at a step of `elsewhere` it sends to that step's screen;
    at any other (or with no registration in progress) the wizard starts again, with `message`."""

    def decorate(view: WizardView) -> Callable[[HttpRequest], HttpResponse]:
        @wraps(view)
        def screen(request: HttpRequest) -> HttpResponse:
            wizard = Wizard.of(request)
            if wizard.step in steps:
                return view(request, wizard)
            if wizard.step is not None and elsewhere and wizard.step in elsewhere:
                return redirect(elsewhere[wizard.step])
            return _restart(request, message)

        return screen

    return decorate


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
        try:
            registration_number_try()
        except TooManyTriesError as error:
            form.add_error(None, error.message)
            return _render(request, "registration/step1.html", {"form": form}, status=429)
        if form.is_valid():
            establishment = establishment_by_client_number(form.cleaned_data["client_number"])
            if establishment is not None:
                request.session.pop(SESSION_KEY, None)
                request.session.cycle_key()
                _save_state(request, establishment=str(establishment.public_id))
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
@wizard_screen(RegistrationStep.TERMS, RegistrationStep.IDENTITY)
def register_step2(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    establishment = wizard.establishment
    assert establishment is not None
    kind = registration_kind_for(establishment)
    form_class = AdministratorTermsForm if kind == RegistrationKind.ADMINISTRATOR else MemberTermsForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _save_state(request, kind=kind.value)
            return redirect("registration:identity")
    context = {"form": form, "establishment": establishment, "kind": kind}
    return _render(request, "registration/step2.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@wizard_screen(
    RegistrationStep.IDENTITY,
    elsewhere={
        RegistrationStep.TERMS: "registration:step2",
        RegistrationStep.CODE: "registration:code",
        RegistrationStep.MEMBER_DETAILS: "registration:step2",
        RegistrationStep.DONE: "registration:step2",
    },
)
def register_identity(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    establishment, kind = wizard.establishment, wizard.kind
    assert establishment is not None and kind is not None
    if kind == RegistrationKind.ADMINISTRATOR and registration_kind_for(establishment) != kind:
        # Someone became administrator since the previous screen: show the CAS 2 screen.
        _save_state(request, kind=None)
        messages.info(request, "Un administrateur vient d'être désigné pour votre établissement.")
        return redirect("registration:step2")
    form_class = IdentityForm if kind == RegistrationKind.ADMINISTRATOR else MemberRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        _save_state(request, identity_tries=wizard.tries + 1)
        try:
            registration_identity_try(tries=wizard.tries + 1)
        except TooManyTriesError as error:
            form.errors.clear()
            form.add_error(None, error.message)
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
            _save_state(request, registration=str(registration.public_id))
            return redirect("registration:code")
    context = {"form": form, "establishment": establishment, "kind": kind}
    return _render(request, "registration/identity.html", context, status=400 if form.errors else 200)


def _finish(request: HttpRequest, registration: Registration) -> HttpResponse:
    try:
        registration_complete(registration=registration)
    except AdministratorTakenError as error:
        registration_continue_as_member(registration=registration)
        messages.warning(request, error.message)
        return redirect("registration:member_details")
    except ApplicationError as error:
        return _restart(request, error.message)
    return redirect("registration:done")


@require_http_methods(["GET", "POST"])
@wizard_screen(
    RegistrationStep.CODE,
    elsewhere={
        RegistrationStep.DONE: "registration:done",
        RegistrationStep.MEMBER_DETAILS: "registration:member_details",
    },
)
def register_code(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    registration = wizard.registration
    assert registration is not None
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
@wizard_screen(RegistrationStep.CODE)
def register_code_resend(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    registration = wizard.registration
    assert registration is not None
    try:
        registration_send_code(registration=registration)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Un nouveau code a été envoyé à {registration.email}.")
    return redirect("registration:code")


@require_http_methods(["GET", "POST"])
@wizard_screen(RegistrationStep.MEMBER_DETAILS)
def register_member_details(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    """Only for a first user overtaken by another one: complete the CAS 2 answers."""
    registration = wizard.registration
    assert registration is not None
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


@wizard_screen(RegistrationStep.DONE, message="")
def register_done(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    registration = wizard.registration
    assert registration is not None
    if registration.user_id is None:
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
        messages.success(request, "Votre mot de passe est enregistré : votre compte est actif.")
        return redirect(login_proceed(request, user))
    return render(
        request,
        "registration/first_login.html",
        {"form": form, "pending_user": user},
        status=400 if form.errors else 200,
    )
