from django.contrib import admin
from django.urls import include, path

from xinyuan.api import api
from xinyuan.web import views as web_views

urlpatterns = [
    path("", web_views.landing, name="landing"),
    path("healthz", web_views.healthz, name="healthz"),
    path("account/password/", web_views.change_password, name="account-password"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("xinyuan.contacts.urls")),
    path("", include("xinyuan.risk.urls")),
    path("", include("xinyuan.records.urls")),
    path("", include("xinyuan.volunteers.urls")),
    path("", include("xinyuan.scheduling.urls")),
    path("", include("xinyuan.supervision.urls")),
    path("", include("xinyuan.reports.urls")),
    path("", include("xinyuan.core.urls")),
]
