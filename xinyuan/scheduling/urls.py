from django.urls import path

from xinyuan.scheduling import views

P = "staff/<slug:hotline_slug>/"

urlpatterns = [
    path(P + "shifts/", views.shifts, name="shifts"),
    path(P + "shifts/mine/", views.my_shifts, name="my-shifts"),
    path(P + "shifts/<int:shift_id>/sign-up/", views.sign_up, name="shift-sign-up"),
    path(P + "shifts/signups/<int:signup_id>/withdraw/", views.withdraw, name="shift-withdraw"),
    path(P + "shifts/signups/<int:signup_id>/offer/", views.offer, name="shift-offer"),
    path(P + "shifts/swaps/<int:swap_id>/take/", views.take, name="swap-take"),
    path(P + "shifts/swaps/<int:swap_id>/cancel/", views.cancel_swap, name="swap-cancel"),
    path(P + "shifts/swaps/<int:swap_id>/decide/", views.decide_swap, name="swap-decide"),
    path(P + "shifts/calendar/", views.calendar_feed_settings, name="shift-calendar"),
    path(P + "shifts/templates/", views.templates, name="shift-templates"),
    path(P + "shifts/templates/<int:template_id>/", views.template, name="shift-template"),
    path(P + "shifts/coverage/", views.coverage, name="coverage"),
    path(P + "teams/", views.teams, name="teams"),
    path(P + "teams/<int:team_id>/", views.team, name="team"),
    path(P + "hours/", views.service_hours, name="service-hours"),
    path(P + "hours/certificate/<int:membership_id>/", views.certificate, name="service-certificate"),
    path(P + "roster/", views.roster, name="roster"),
    path(P + "roster/imports/<int:import_id>/", views.roster_import, name="roster-import"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="shift-calendar-feed"),
]
