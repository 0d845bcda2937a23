from django.urls import path

from loa.core import sign_in_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("accounts/two-factor/", sign_in_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", sign_in_views.setup, name="two_factor_setup"),
    path(
        "accounts/two-factor/backup-codes/",
        sign_in_views.backup_codes_renew,
        name="two_factor_backup_codes",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
