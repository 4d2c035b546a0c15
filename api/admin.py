from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Operators see tokens; keys are issued and revoked through the services only
    (``manage.py api_token`` or the 事務局's データ連携 screen), which show a key once."""

    list_display = ["key_prefix", "holder", "scope", "council", "name", "created_at", "revoked_at"]
    list_filter = ["scope", "holder"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
