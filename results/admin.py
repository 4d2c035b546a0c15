"""実績 in the admin: read-only. Changes go through the screens, which check the workflow
and write the audit trail (an admin edit would bypass both)."""

from django.contrib import admin

from .models import QuarterWindow, Result, SectionQuarter


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterWindow)
class QuarterWindowAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "is_open", "deadline", "updated_at"]
    list_filter = ["fiscal_year__organization", "is_open"]
    list_select_related = ["fiscal_year"]


@admin.register(SectionQuarter)
class SectionQuarterAdmin(ReadOnlyAdmin):
    list_display = ["section", "fiscal_year", "quarter", "state", "submitted_at", "decided_at"]
    list_filter = ["fiscal_year__organization", "quarter", "state"]
    list_select_related = ["section__department", "fiscal_year"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["item", "quarter", "value", "done", "cancelled", "updated_at", "updated_by"]
    list_filter = ["quarter", "cancelled", "item__initiative__business__fiscal_year__organization"]
    list_select_related = ["item", "updated_by"]
    search_fields = ["item__group", "item__name", "note", "reason"]
