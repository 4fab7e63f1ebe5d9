from django.urls import path

from espace.simulators import views
from espace.simulators.tools import TOOLS

app_name = "simulators"

urlpatterns = [
    path("outils/", views.index, name="index"),
    # Each tool of the registry: its page (« simulators:loan ») and its downloads (« simulators:loan_export »).
    *(
        pattern
        for tool in TOOLS.values()
        for pattern in (
            path(tool.path, views.tool_page, {"kind": tool.kind}, name=tool.url_name),
            path(
                f"{tool.path}export.<str:fmt>", views.tool_export, {"kind": tool.kind}, name=f"{tool.url_name}_export"
            ),
        )
    ),
    path("outils/simulations/", views.saved, name="saved"),
    path("outils/simulations/enregistrer/<str:kind>/", views.save, name="save"),
    path("outils/simulations/<uuid:public_id>/", views.reopen, name="reopen"),
    path("outils/simulations/<uuid:public_id>/supprimer/", views.delete, name="delete"),
]
