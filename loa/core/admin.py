from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from loa.core.models import AuditEntry, User

admin.site.register(User, UserAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services and never edited by hand."""

    list_display = ("at", "actor", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("target_label",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
