"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent after users were written without `save()` (QuerySet.update, bulk_update: no post_save),
# with `pks`: the primary keys of the users written. `espace.accounts.session_user` forgets them.
users_written = Signal()
