from django.urls import path

from espace.core import captcha, views

app_name = "core"

PAGES = {
    "cgu": "terms",
    "mentions-legales": "legal",
    "accessibilite": "accessibility",
}

urlpatterns = [
    path("sante/", views.health, name="health"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("captcha/challenge/", captcha.challenge_view, name="captcha_challenge"),
    path("demo/courriels/", views.demo_mailbox, name="demo_mailbox"),
    path("demo/courriels/<uuid:public_id>/", views.demo_email, name="demo_email"),
    *[path(f"{slug}/", views.page, {"template": template}, name=template) for slug, template in PAGES.items()],
]
