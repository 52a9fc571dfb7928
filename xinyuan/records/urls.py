from django.urls import path

from xinyuan.records import views

urlpatterns = [
    path("staff/<slug:hotline_slug>/records/", views.records, name="records"),
    path("staff/<slug:hotline_slug>/records/<uuid:contact_id>/", views.record, name="record"),
    path("staff/<slug:hotline_slug>/seekers/<uuid:contact_id>/", views.seeker, name="seeker-history"),
    path("staff/<slug:hotline_slug>/cases/", views.cases, name="cases"),
    path("staff/<slug:hotline_slug>/cases/<int:case_id>/", views.case, name="case"),
]
