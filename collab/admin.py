from django.contrib import admin

from .models import CollaborationProject, ProjectValue, Review


class ProjectValueInline(admin.TabularInline):
    model = ProjectValue
    extra = 0


@admin.register(CollaborationProject)
class CollaborationProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "year", "area", "department", "section", "cancelled")
    list_filter = ("organization", "year", "area", "cancelled")
    search_fields = ("name", "section", "department")
    inlines = [ProjectValueInline]
    raw_id_fields = ("business",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("project", "year", "partner_name", "updated_at")
    list_filter = ("year",)
    search_fields = ("project__name", "partner_name")
    raw_id_fields = ("project",)
    readonly_fields = ("updated_by",)
