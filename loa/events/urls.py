from django.urls import path

from loa.events import views

app_name = "events"
urlpatterns = [
    path("activities/", views.calendar, name="calendar"),
    path("activities/new/", views.activity_create, name="create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("activities/<int:pk>/minutes/", views.activity_minutes, name="minutes"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="qr"),
    path("activities/<int:pk>/qr.svg", views.activity_qr_svg, name="qr_svg"),
    path("activities/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("activities/<int:pk>/attendance.xlsx", views.attendance_export, name="attendance_export"),
    path("activities/files/<int:pk>/", views.activity_file, name="file"),
    path("activities/feeds/", views.feeds, name="feeds"),
    path("activities/cadence/", views.cadence, name="cadence"),
    path("activities/types/", views.types, name="types"),
    path("c/<str:code>/", views.checkin, name="checkin"),
    path("ical/<str:token>.ics", views.ical, name="ical"),
]
