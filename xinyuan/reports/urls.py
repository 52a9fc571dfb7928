from django.urls import path

from xinyuan.reports import views

urlpatterns = [
    path("staff/<slug:hotline_slug>/reports/", views.dashboard, name="reports-dashboard"),
    path("staff/<slug:hotline_slug>/reports/brief/", views.brief, name="reports-brief"),
    path("staff/<slug:hotline_slug>/reports/my-satisfaction/", views.my_satisfaction, name="reports-mine"),
]
