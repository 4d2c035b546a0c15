"""The operators' admin (superusers only, shakyo.admin): organisations and the relations
between them, and master data (years, 課, 係, users and roles)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from . import services
from .models import (
    AuditEvent,
    Business,
    CollaborationGrant,
    Commission,
    Department,
    FiscalYear,
    Initiative,
    Organization,
    PlanImport,
    PlanItem,
    Section,
    TargetQuantity,
    TargetRevision,
    User,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "tolerance"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


class _RelationAdmin(admin.ModelAdmin):
    """A relation is added or removed through its service (validated and audited)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # remove and add again: a relation has nothing else to change

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Commission)
class CommissionAdmin(_RelationAdmin):
    list_display = ["council", "commissioner"]
    list_select_related = ["council", "commissioner"]
    list_filter = ["council"]

    def save_model(self, request, obj, form, change) -> None:
        created = services.commission_add(
            council=obj.council, commissioner=obj.commissioner, user=request.user
        )
        obj.pk = created.pk

    def delete_model(self, request, obj) -> None:
        try:
            services.commission_remove(
                council=obj.council, commissioner=obj.commissioner, user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(CollaborationGrant)
class CollaborationGrantAdmin(_RelationAdmin):
    list_display = ["council", "city"]
    list_select_related = ["council", "city"]
    list_filter = ["council"]

    def save_model(self, request, obj, form, change) -> None:
        created = services.collaboration_grant_add(
            council=obj.council, city=obj.city, user=request.user
        )
        obj.pk = created.pk

    def delete_model(self, request, obj) -> None:
        services.collaboration_grant_remove(council=obj.council, city=obj.city, user=request.user)


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
    """Read-only: the figures are read from the 目標値 by the parser, never typed here."""

    model = TargetQuantity
    extra = 0
    fields = ["position", "value", "max_value", "unit", "label"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


_QUARTER_CHOICES = [("", "―"), *[(q, f"第{q}四半期から") for q in (1, 2, 3, 4)]]


class PlanItemAdminForm(forms.ModelForm):
    """The row's texts, plus what a 補正 needs once the year's plan is 確定."""

    revision_reason = forms.CharField(
        label="補正の理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="計画の確定後に目標値を変えるときに入力します（事務局の承認後に反映）。",
    )
    revision_from = forms.TypedChoiceField(
        label="補正の適用開始",
        choices=_QUARTER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = PlanItem
        fields = ["initiative", "order", "group", "name", "detail", "target_text", "aggregation"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and "target_text" in data:
            for field, message in services.target_change_errors(
                item=self.instance,
                target_text=data["target_text"],
                revision_reason=data.get("revision_reason") or "",
                revision_from=data.get("revision_from"),
            ).items():
                self.add_error(field, message)
        if self.instance.pk:
            for field, message in services.aggregation_change_errors(
                item=self.instance, aggregation=data.get("aggregation")
            ).items():
                self.add_error(field, message)
        return data


@admin.register(PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    """Rows are written through plans.services like everywhere else: the 目標値 is read
    again by the parser, every change is in the audit trail, and after 確定 a new 目標値
    is a 補正 request for the 事務局."""

    form = PlanItemAdminForm
    list_display = ["group", "name", "target_text", "target_kind", "aggregation", "needs_review"]
    list_filter = ["needs_review", "target_kind", "initiative__business__section__department"]
    search_fields = ["group", "name", "detail", "target_text"]
    readonly_fields = [
        "key",
        "target",
        "target_kind",
        "needs_review",
        "target_value",
        "target_unit",
        "target_edited",
        "target_from_quarter",
        "earlier_targets",
    ]
    list_select_related = ["initiative"]
    inlines = [TargetQuantityInline]

    def save_model(self, request, obj: PlanItem, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.plan_item_create(
                initiative=data["initiative"],
                order=data["order"],
                group=data["group"],
                name=data["name"],
                detail=data["detail"],
                target_text=data["target_text"],
                aggregation=data["aggregation"],
                user=request.user,
                summary="計画の行を追加（システム管理画面）",
            )
            obj.pk = created.pk
            return
        try:
            result = services.plan_item_update(
                item=obj,
                group=data["group"],
                name=data["name"],
                detail=data["detail"],
                target_text=data["target_text"],
                aggregation=data["aggregation"],
                revision_reason=data.get("revision_reason") or "",
                revision_from=data.get("revision_from"),
                source=TargetRevision.Source.ADMIN,
                user=request.user,
                summary="計画の行を変更（システム管理画面）",
            )
        except ValidationError as error:
            # Checked in the form already; a request that raced another is told so.
            self.message_user(request, "、".join(error.messages), level="error")
            return
        if data["initiative"] != obj.initiative or data["order"] != obj.order:
            obj.initiative = data["initiative"]
            obj.order = data["order"]
            obj.save(update_fields=["initiative", "order"])
        if result.revision is not None:
            self.message_user(
                request,
                "計画は確定済みのため、目標値の変更は補正として申請しました。"
                "事務局が承認すると反映されます。",
                level="warning",
            )


@admin.register(TargetRevision)
class TargetRevisionAdmin(admin.ModelAdmin):
    """Read-only: 補正 are requested and decided on the plan screens (plans.services)."""

    list_display = ["item", "state", "from_quarter", "old_text", "new_text", "requested_at"]
    list_filter = ["state", "source"]
    list_select_related = ["item"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "state", "file_name", "created_at", "created_by"]
    list_filter = ["state"]
    exclude = ["businesses"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
