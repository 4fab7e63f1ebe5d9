from django.urls import path

from espace.support import views

app_name = "support"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/envoye/", views.contact_sent, name="contact_sent"),
    path("faq/", views.faq, name="faq"),
    path("aide/<slug:slug>/", views.help_page, name="help"),
    path("aide/<slug:slug>/tutoriel.pdf", views.help_pdf, name="help_pdf"),
]
