from django.contrib.auth.backends import ModelBackend


class EspaceBackend(ModelBackend):
    """Case-insensitive identifiers (see the user manager); only « actif » accounts hold a session."""
