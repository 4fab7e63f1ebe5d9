from django.contrib import admin
from django.urls import include, path, re_path

from espace.api.v1 import api, unknown_path

urlpatterns = [
    # The API first: its calls are resolved without trying every app's patterns (no other overlaps).
    path("api/v1/", api.urls),
    path("", include("espace.core.urls")),
    path("", include("espace.accounts.urls")),
    path("", include("espace.accounts.urls_passkeys")),
    path("", include("espace.registration.urls")),
    path("", include("espace.notifications.urls")),
    path("administration/", include("espace.members.urls")),
    path("administration/jetons-api/", include("espace.api.urls")),
    path("", include("espace.support.urls")),
    path("", include("espace.products.urls")),
    path("", include("espace.simulators.urls")),
    path("", include("espace.portfolio.urls")),
    path("", include("espace.loan_requests.urls")),
    path("", include("espace.documents.urls")),
    path("back-office/", include("espace.backoffice.urls")),
    path("gestion/", admin.site.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_path, name="api_unknown"),
]

handler400 = "espace.core.views.error_400"
handler403 = "espace.core.views.error_403"
handler404 = "espace.core.views.error_404"
handler500 = "espace.core.views.error_500"
