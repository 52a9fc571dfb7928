from django.urls import path

from xinyuan.risk import views

prefix = "staff/<slug:hotline_slug>/crisis/"
urlpatterns = [
    path(prefix, views.crisis_board, name="crisis-board"),
    path(prefix + "<int:escalation_id>/", views.escalation, name="escalation"),
    path(prefix + "<int:escalation_id>/acknowledge/", views.acknowledge, name="escalation-acknowledge"),
    path(prefix + "<int:escalation_id>/steps/", views.record_step, name="escalation-step"),
    path(prefix + "<int:escalation_id>/resolve/", views.resolve, name="escalation-resolve"),
    path(prefix + "<int:escalation_id>/identifiers/", views.open_identifiers, name="escalation-identifiers"),
    path(prefix + "<int:escalation_id>/join/", views.join, name="escalation-join"),
    path(prefix + "follow-ups/<int:follow_up_id>/done/", views.follow_up_done, name="follow-up-done"),
]
