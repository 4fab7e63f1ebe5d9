from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError

if TYPE_CHECKING:
    from django import forms

# The database is unreachable (stopped, restarting, network): not a bug, a temporary outage.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


class ApplicationError(Exception):
    """A business rule refused the action; the message is French and safe to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to(self, form: forms.BaseForm) -> None:
        """Show the message on its field when the form has it, else above the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
