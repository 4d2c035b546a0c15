"""Master data (organisation, years, 課, 係, users and roles) in the Django admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEvent,
    Business,
    Department,
    FiscalYear,
    Initiative,
    Organization,
    PlanItem,
    Section,
    TargetQuantity,
    User,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "tolerance"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["label", "organization", "year"]
    list_filter = ["organization"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "order"]
    list_filter = ["organization"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "order"]
    list_filter = ["department__organization", "department"]
    list_select_related = ["department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "organization", "department", "section"]
    list_filter = ["role", "organization"]
    list_select_related = ["organization", "department", "section__department"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "所属と役割",
            {"fields": ("organization", "role", "department", "section", "city_department")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            "所属と役割",
            {"fields": ("organization", "role", "department", "section", "city_department")},
        ),
    )

    @admin.display(description="氏名")
    def display_name(self, obj: User) -> str:
        return obj.display_name


class InitiativeInline(admin.StackedInline):
    model = Initiative
    extra = 0
    fields = ["number", "title", "policy", "order"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "fiscal_year", "commissioned_by", "city_department"]
    list_filter = ["fiscal_year", "commissioned_by", "section__department"]
    list_select_related = ["section__department", "fiscal_year__organization", "commissioned_by"]
    inlines = [InitiativeInline]


class TargetQuantityInline(admin.TabularInline):
    model = TargetQuantity
    extra = 0


@admin.register(PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    list_display = ["group", "name", "target_text", "target_kind", "needs_review"]
    list_filter = ["needs_review", "target_kind", "initiative__business__section__department"]
    search_fields = ["group", "name", "detail", "target_text"]
    readonly_fields = ["key", "target"]
    list_select_related = ["initiative"]
    inlines = [TargetQuantityInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the services and never edited."""

    list_display = ["at", "user", "action", "section", "summary"]
    list_filter = ["action", "organization"]
    list_select_related = ["user", "section"]
    search_fields = ["summary", "user__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
