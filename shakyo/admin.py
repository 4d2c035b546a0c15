"""The Django admin is the operators' tool (システム管理者): superusers only.

No council role needs it — a 事務局 manages its own council in the app — and the admin is
not scoped to an organisation, so staff status alone opens nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OperatorAdminSite(admin.AdminSite):
    site_header = "shakyo システム管理"
    site_title = "shakyo システム管理"
    index_title = "法人・委託関係・マスタ"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser


class OperatorAdminConfig(AdminConfig):
    default_site = "shakyo.admin.OperatorAdminSite"
