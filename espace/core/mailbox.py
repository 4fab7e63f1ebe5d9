"""Demo email backend: keeps every message in the database for the demo mailbox page."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from espace.core.models import DemoEmail


class DemoMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = str(content)
            DemoEmail.objects.create(
                from_email=message.from_email,
                to=", ".join(message.to),
                subject=str(message.subject),
                body=str(message.body),
                html_body=html,
            )
        return len(email_messages)
