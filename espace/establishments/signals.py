"""Signals of the client registry, for the apps above it."""

from django.dispatch import Signal

# Sent after establishments were written in bulk (the registry import's bulk_update sends no
# post_save), with `pks`: the primary keys of the establishments that changed. The accounts app
# forgets the cached users of those establishments (`espace.accounts.session_user`).
establishments_changed = Signal()
