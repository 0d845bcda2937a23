from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loa.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from loa.core.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="loa.core.session_started")
