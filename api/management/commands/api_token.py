"""The operator's command for API tokens of commissioning bodies.

    python manage.py api_token list
    python manage.py api_token issue 西東京市 --name "福祉部システム" [--council 西東京市社会福祉協議会]
    python manage.py api_token revoke shakyo_AbCd

A council's 事務局 issues its own tokens on the データ連携 screen; this command is for the
operator, who may give a city one token for what it commissioned from every council.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiToken
from api.services import api_token_issue_for_body, api_token_revoke
from plans.models import Organization


def _organization(name: str) -> Organization:
    try:
        return Organization.objects.get(name=name)
    except Organization.DoesNotExist as exc:
        known = "、".join(Organization.objects.values_list("name", flat=True))
        raise CommandError(f"法人「{name}」は登録されていません。登録済み: {known}") from exc


class Command(BaseCommand):
    help = "委託元（市など）のAPI利用キーを発行・無効化します（システム管理者用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="発行済みのキーの一覧")
        issue = sub.add_parser("issue", help="委託元にキーを発行")
        issue.add_argument("holder", help="委託元の名称（例: 西東京市）")
        issue.add_argument("--name", required=True, help="用途（例: 福祉部のシステム連携）")
        issue.add_argument("--council", default="", help="この社協から受託した事業だけに限る")
        revoke = sub.add_parser("revoke", help="キーを無効にする")
        revoke.add_argument("prefix", help="キーの先頭（一覧に表示される文字列）")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _list(self, **options) -> None:
        for token in ApiToken.objects.select_related("holder", "council"):
            state = "有効" if token.is_active else "無効"
            scope = token.council.name if token.council else "すべての社協"
            self.stdout.write(
                f"{token.key_prefix}…  {token.holder.name}  {token.name}  "
                f"{token.get_scope_display()}（{scope}）  {state}"
            )

    def _issue(self, *, holder: str, name: str, council: str, **options) -> None:
        body = _organization(holder)
        target = _organization(council) if council else None
        try:
            token, key = api_token_issue_for_body(holder=body, name=name, council=target)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"キーを発行しました（{token.holder.name}・{token.name}）。")
        self.stdout.write("このキーは今しか表示されません。安全な方法で渡してください:")
        self.stdout.write(key)

    def _revoke(self, *, prefix: str, **options) -> None:
        tokens = list(ApiToken.objects.filter(key_prefix__startswith=prefix, revoked_at=None))
        if len(tokens) != 1:
            raise CommandError(
                f"先頭が「{prefix}」の有効なキーが{len(tokens)}件あります。1件に絞ってください。"
            )
        api_token_revoke(user=None, token=tokens[0])
        self.stdout.write(f"キーを無効にしました（{tokens[0].holder.name}・{tokens[0].name}）。")
