from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from loa.core.forms import QueuedPasswordResetForm, RateLimitedAuthenticationForm


class PasswordResetView(auth_views.PasswordResetView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


auth_urls = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=RateLimitedAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", include("loa.core.urls")),
    path("", include("loa.org.urls")),
    path("library/", include("loa.library.urls")),
    path("plans/", include("loa.plans.urls")),
    path("", include("loa.outreach.urls")),
    path("", include("loa.events.urls")),
    path("", include("loa.budget.urls")),
    path("", include("loa.voices.urls")),
    path("", include("loa.reports.urls")),
    path("", include("loa.dashboard.urls")),
    path("accounts/", include(auth_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
