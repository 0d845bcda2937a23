from django.urls import path

from loa.voices import views

app_name = "voices"
urlpatterns = [
    # Public: the box's address is a random code; the follow-up page, the feedback's reference.
    path("gop-y/theo-doi/", views.lookup, name="lookup"),  # before the box: "theo-doi" is no code
    path("gop-y/<str:code>/", views.submit, name="submit"),
    path("gop-y/theo-doi/<str:reference>/", views.status, name="status"),
    path("feedback/", views.feedback_list, name="list"),
    path("feedback/<int:pk>/", views.feedback_detail, name="detail"),
    path("feedback/box/open/", views.box_open, name="box_open"),
    path("feedback/box/close/", views.box_close, name="box_close"),
    path("feedback/box/new-address/", views.box_new_address, name="box_new_address"),
    path("feedback/box/qr.svg", views.box_qr, name="box_qr"),
    path("feedback/citizen-data/", views.citizen_data, name="citizen_data"),
]
