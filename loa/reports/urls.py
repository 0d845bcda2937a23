from django.urls import path

from loa.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/open/", views.report_open, name="open"),
    path("reports/calendar/", views.reporting_rule, name="rule"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/render/", views.report_render, name="render"),
    path("reports/<int:pk>/submit/", views.report_submit, name="submit"),
    path("reports/<int:pk>/email/", views.report_email_again, name="email"),
    path("reports/renderings/<int:pk>/", views.rendering_progress, name="progress"),
    path("reports/renderings/<int:pk>/file.<str:kind>", views.rendering_file, name="file"),
    path("reports/renderings/<int:pk>/pages/<int:number>.png", views.rendering_page, name="page"),
    path("reports/sources/<slug:kind>/", views.source, name="source"),
    path("reports/inspections/", views.inspection_list, name="inspections"),
    path("reports/inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("reports/follow-ups/<int:pk>/done/", views.follow_up_close, name="follow_up_close"),
]
