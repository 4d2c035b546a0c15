"""``Authorization: Bearer <key>``: the token of an organisation's system."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_key
from .services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Authorization ヘッダーの形式が正しくありません。"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("利用キーの形式が正しくありません。") from exc
        token = (
            ApiToken.objects.select_related("holder", "council")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("利用キーが正しくないか、無効になっています。")
        api_token_touch(token)
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasApiToken:
    """DRF permission: the request carries a valid token (sessions are not accepted)."""

    message = "APIの利用キーが必要です。"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)

    def has_object_permission(self, request, view, obj) -> bool:
        return True


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: a bearer key issued on the データ連携 screen."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "事務局が発行した利用キー"}
