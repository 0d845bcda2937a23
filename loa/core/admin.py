from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from loa.core import services
from loa.core.models import AuditEntry, User


@admin.register(User)
class LoaUserAdmin(UserAdmin):
    """Accounts are the one thing the admin edits (superuser and active flags, passwords):
    every such change also leaves a row in Loa's audit log, naming the fields, never values."""

    actions = ["reset_two_factor"]

    def log_addition(self, request, obj, message):
        services.account_admin_record(actor=request.user, account=obj, what="add", message=message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        services.account_admin_record(
            actor=request.user, account=obj, what="change", message=message
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for account in queryset:
            services.account_admin_record(actor=request.user, account=account, what="delete")
        return super().log_deletions(request, queryset)

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.two_factor_reset(actor=request.user, user=user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in was reset for %(count)d account: it sets up a new app at its "
                "next sign-in if its role requires one.",
                "Two-factor sign-in was reset for %(count)d accounts: each sets up a new app at "
                "its next sign-in if its role requires one.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the admin shows, nobody edits there: changes go through Loa's pages and services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeviceAdmin(ReadOnlyAdmin):
    """Read-only, registered before django-otp's own (which would show and edit the secret):
    devices change only through the services, a reset through the user list's action."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = list_display


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by services and never edited by hand."""

    list_display = ("at", "actor", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("target_label",)
    list_select_related = ("actor",)  # one query a page, not one per row
    show_full_result_count = False  # a filtered list does not count the whole table as well
