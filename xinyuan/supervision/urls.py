from django.urls import path

from xinyuan.supervision import views

prefix = "staff/<slug:hotline_slug>/supervision/"
urlpatterns = [
    path(prefix + "monitor/", views.monitor, name="supervision-monitor"),
    path(prefix + "monitor/board/", views.monitor_board, name="supervision-board"),
    path(prefix + "monitor/<uuid:contact_id>/", views.watch, name="supervision-watch"),
    path(prefix + "monitor/<uuid:contact_id>/join/", views.join, name="supervision-join"),
    path(prefix + "monitor/<uuid:contact_id>/take-over/", views.take_over, name="supervision-take-over"),
    path(prefix + "reviews/", views.reviews, name="supervision-reviews"),
    path(prefix + "reviews/rules/", views.policy, name="supervision-policy"),
    path(prefix + "reviews/<uuid:contact_id>/", views.review, name="supervision-review"),
    path(prefix + "reviews/<int:review_id>/share/", views.share_review, name="supervision-review-share"),
    path(prefix + "feedback/", views.feedback, name="supervision-feedback"),
    path(prefix + "group-sessions/", views.group_sessions, name="supervision-group-sessions"),
    path(prefix + "debriefs/", views.debriefs, name="supervision-debriefs"),
    path(
        prefix + "debriefs/<int:debrief_id>/answer/", views.debrief_answer, name="supervision-debrief-answer"
    ),
    path(
        prefix + "debriefs/<int:debrief_id>/schedule/",
        views.debrief_schedule,
        name="supervision-debrief-schedule",
    ),
    path(prefix + "debriefs/<int:debrief_id>/done/", views.debrief_done, name="supervision-debrief-done"),
]
