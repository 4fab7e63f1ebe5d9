"""The production URLs plus the two bare views, the load bench's anchors.

- `/bench/bare/`: the smallest Django view, anonymous: what the stack costs by itself;
- `/bench/bare-login/`: the same two bytes behind `login_required`, through the same middleware,
  session and user read as deployed: the floor of every client page (issue 23).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as production

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    """No query, no template: what the stack (gunicorn, WSGI, middleware) costs by itself."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def bare_login(request: HttpRequest) -> HttpResponse:
    """Two bytes for a logged-in user: the session and the user are read, nothing else."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/bare-login/", bare_login), *production]
