from django.urls import path

from xinyuan.contacts import views

urlpatterns = [
    path("h/<slug:slug>/", views.seeker_page, name="seeker"),
    path("console/", views.console_index, name="console-index"),
    path("staff/<slug:hotline_slug>/console/", views.console, name="console"),
    path("staff/<slug:hotline_slug>/counsellors/", views.counsellors, name="counsellors"),
    path(
        "staff/<slug:hotline_slug>/counsellors/<int:membership_id>/",
        views.counsellor_skills,
        name="counsellor-skills",
    ),
    path(
        "staff/<slug:hotline_slug>/console/contacts/<uuid:contact_id>/wrap-up/",
        views.wrap_up,
        name="console-wrap-up",
    ),
]
