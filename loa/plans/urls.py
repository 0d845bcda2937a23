from django.urls import path

from loa.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("import/", views.plan_import, name="import"),
    path("import/save/", views.plan_import_save, name="import_save"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/revise/", views.plan_revise, name="revise"),
    path("<int:pk>/copy/", views.plan_copy, name="copy"),
    path("<int:pk>/coverage/", views.plan_coverage, name="coverage"),
    path("<int:pk>/export.docx", views.plan_export, name="export"),
    path("<int:pk>/<slug:step>/", views.plan_step, name="step"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
