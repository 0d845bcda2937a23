"""Read-only views for system administrators; changes go through Loa's own pages and services."""

from django.contrib import admin

from loa.core.admin import ReadOnlyAdmin
from loa.org.models import Agency, Person, Position, RoleAssignment, Unit


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "province", "dissolved_on")


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "parent", "dissolved_on")
    list_filter = ("agency",)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "agency", "unit", "position", "category")
    list_filter = ("agency", "category")
    search_fields = ("search_name", "code")


admin.site.register(Position, ReadOnlyAdmin)
admin.site.register(RoleAssignment, ReadOnlyAdmin)
