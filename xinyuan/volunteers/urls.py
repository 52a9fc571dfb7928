from django.urls import path

from xinyuan.volunteers import views

urlpatterns = [
    path("h/<slug:slug>/volunteer/", views.apply, name="volunteer-apply"),
    path("h/<slug:slug>/volunteer/thanks/", views.applied, name="volunteer-applied"),
    path("volunteer/welcome/<str:uidb64>/<str:token>/", views.set_password, name="volunteer-set-password"),
    path("staff/<slug:hotline_slug>/volunteers/", views.applications, name="volunteer-applications"),
    path(
        "staff/<slug:hotline_slug>/volunteers/<int:application_id>/",
        views.application,
        name="volunteer-application",
    ),
    path(
        "staff/<slug:hotline_slug>/volunteers/<int:application_id>/resend/",
        views.resend_signin,
        name="volunteer-resend-signin",
    ),
    path(
        "staff/<slug:hotline_slug>/volunteers/credentials/<int:credential_id>/verify/",
        views.verify_credential,
        name="volunteer-credential-verify",
    ),
    path(
        "staff/<slug:hotline_slug>/volunteers/credentials/<int:credential_id>/scan/",
        views.credential_scan,
        name="volunteer-credential-scan",
    ),
    path(
        "staff/<slug:hotline_slug>/volunteers/requirements/",
        views.requirements,
        name="volunteer-requirements",
    ),
    path("staff/<slug:hotline_slug>/training/", views.my_training, name="my-training"),
    path("staff/<slug:hotline_slug>/training/courses/", views.courses, name="training-courses"),
    path("staff/<slug:hotline_slug>/training/<int:course_id>/", views.course, name="training-course"),
]
