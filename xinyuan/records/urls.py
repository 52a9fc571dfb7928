from django.urls import path

from xinyuan.records import views

urlpatterns = [
    path("staff/<slug:hotline_slug>/records/", views.records, name="records"),
    path("staff/<slug:hotline_slug>/records/<uuid:contact_id>/", views.record, name="record"),
]
