from django.urls import path

from xinyuan.core import views

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signin/verify/", views.signin_verify, name="signin-verify"),
    path("signout/", views.signout, name="signout"),
    path("account/sessions/", views.account_sessions, name="account-sessions"),
    path("account/sessions/<int:record_id>/end/", views.end_session, name="account-session-end"),
    path("staff/", views.staff_index, name="staff-index"),
    path("staff/<slug:hotline_slug>/", views.staff_home, name="staff-home"),
    path("staff/<slug:hotline_slug>/settings/", views.hotline_settings, name="hotline-settings"),
    path("staff/<slug:hotline_slug>/audit/", views.audit_log, name="audit-log"),
]
