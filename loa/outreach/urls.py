from django.urls import path

from loa.outreach import views

app_name = "outreach"
urlpatterns = [
    path("dispatches/", views.dispatch_list, name="list"),
    path("dispatches/new/", views.dispatch_create, name="create"),
    path("dispatches/count/", views.audience_count, name="count"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/send/", views.dispatch_send, name="send"),
    path("dispatches/<int:pk>/remind/", views.dispatch_remind, name="remind"),
    path("dispatches/<int:pk>/reach.xlsx", views.dispatch_export, name="export"),
    path("dispatches/webhooks/", views.webhooks, name="webhooks"),
    path("dispatches/zalo-oa/", views.zalo_account, name="zalo_account"),
    path("people/<int:pk>/documents/", views.person_reach, name="person"),
    path("dispatches/files/<int:pk>/", views.dispatch_file, name="file"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.read, name="read"),
    path("r/<str:token>/", views.link, name="link"),
    path("z/<str:code>/", views.zalo, name="zalo"),
    path("z/<str:code>/qr.svg", views.zalo_qr, name="zalo_qr"),
    path("dispatches/<int:pk>/zalo/", views.dispatch_zalo, name="dispatch_zalo"),
    path("dispatches/<int:pk>/dms/", views.dispatch_dms, name="dispatch_dms"),
    path("dispatches/<int:pk>/again/", views.dispatch_ask_again, name="ask_again"),
]
