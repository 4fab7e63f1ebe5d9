"""The shape of the code that the layers contract (import-linter, in `make lint`) cannot see."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import django_otp_webauthn
from django_tasks.base import Task

from espace.core.tasks import task_resolve

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [path for path in (ROOT / "espace").rglob("*.py") if "migrations" not in path.parts]


def test_no_import_is_hidden_inside_a_function():
    """Imports sit at the top of modules: an import inside a function usually dodges a cycle.

    Except in an `AppConfig.ready()` (apps.py), Django's documented place for modules that need the
    models loaded, such as the signal receivers."""
    hidden = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if path.name == "apps.py" and getattr(function, "name", "") == "ready":
                continue
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hidden == []


def test_every_task_named_by_a_service_exists():
    """Services name their tasks by path (espace.core.tasks): a typo must fail here, not in production."""
    named = set()
    for path in SOURCES:
        named |= set(re.findall(r'task_enqueue\(\s*"([a-z_.]+)"', path.read_text()))
    assert named, "no task_enqueue call found"
    for dotted in named:
        assert isinstance(task_resolve(dotted), Task), dotted


def test_no_stored_file_is_read_from_a_local_path():
    """Files live in the storage (local disk or a bucket): code goes through the storage API and never
    through a media path (`.path`, MEDIA_ROOT), which only exists on the local disk."""
    local = re.compile(r"\.(file|pdf|attachment)\.path\b|MEDIA_ROOT|\.storage\.path\(|FileSystemStorage\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in SOURCES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if local.search(line)
    ]
    assert found == []


def test_every_download_of_a_stored_file_goes_through_the_shared_response():
    """espace.core.downloads streams from the disk or the bucket and answers 404 for a missing
    object: a FileResponse built on a FieldFile elsewhere would load a bucket object whole."""
    direct = re.compile(r"FileResponse\(\s*\w+(\.\w+)?\.(file|pdf|attachment)\.open")
    found = [str(path.relative_to(ROOT)) for path in SOURCES if direct.search(path.read_text())]
    assert found == []


# Use-case modules that hold an app's writes in place of its services.py (docs/architecture.md).
USE_CASE_MODULES = {
    "espace/loan_requests/entry.py",
    "espace/loan_requests/files.py",
    "espace/loan_requests/instruction.py",
    "espace/loan_requests/notices.py",
    "espace/loan_requests/timeline.py",
}


def test_services_and_selectors_know_nothing_of_http():
    """HTTP stays in views: services, use-case modules and selectors take typed values, never the
    request (the request's address reaches the audit trail through espace.core.origin).
    import-linter cannot forbid a subpackage of an external package, so the contract is kept here."""
    assert all((ROOT / module).is_file() for module in USE_CASE_MODULES)
    found = []
    for path in SOURCES:
        if path.stem not in {"services", "selectors"} and str(path.relative_to(ROOT)) not in USE_CASE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            found += [
                f"{path.relative_to(ROOT)}: {m}" for m in modules if m.startswith(("django.http", "django.shortcuts"))
            ]
    assert found == []


def test_the_interface_is_written_in_french_in_the_source():
    """One way for the UI's words (docs/architecture.md): French literals, no gettext and no
    catalogue of our own; the framework's messages come from Django's French catalogue, so no
    form redefines « Ce champ est obligatoire. ». The one catalogue in `locale/` translates a
    library that ships no French (django-otp-webauthn): each of its messages is the library's."""
    gettext = [str(path.relative_to(ROOT)) for path in SOURCES if "django.utils.translation" in path.read_text()]
    assert gettext == []
    redefined = [str(path.relative_to(ROOT)) for path in SOURCES if 'Ce champ est obligatoire."' in path.read_text()]
    assert redefined == []
    templates = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "{% load i18n" in path.read_text() or "{% translate" in path.read_text() or "{% trans " in path.read_text()
    ]
    assert templates == []
    catalogues = sorted(str(path.relative_to(ROOT / "locale")) for path in (ROOT / "locale").rglob("*.*"))
    assert catalogues == [f"fr/LC_MESSAGES/{name}" for name in ("django.mo", "django.po", "djangojs.mo", "djangojs.po")]
    library = "".join(path.read_text() for path in Path(django_otp_webauthn.__file__).parent.rglob("*.[jp][sy]"))
    msgids = re.findall(r'^msgid "(.+)"$', "".join(p.read_text() for p in (ROOT / "locale").rglob("*.po")), re.M)
    assert len(msgids) > 40 and [m for m in msgids if m not in library] == []
