from django.contrib.admin import apps as admin_apps


class EspaceAdminConfig(admin_apps.AdminConfig):
    """The Django admin, behind the staff entrance and its second factor."""

    default_site = "espace.backoffice.admin_site.EspaceAdminSite"
