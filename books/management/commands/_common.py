"""What the 帳票 commands share: finding the council and reporting refused imports."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Organization, User

from ...imports import ImportRefused


def add_organization_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--organization",
        help="法人の名称（法人が1つだけなら省略できます）",
    )


def organization_get(name: str | None) -> Organization:
    councils = Organization.objects.filter(
        kind=Organization.Kind.COUNCIL, fiscal_years__isnull=False
    )
    if name:
        organization = Organization.objects.filter(name=name).first()
        if organization is None:
            raise CommandError(f"法人「{name}」が見つかりません。")
        return organization
    councils = list(councils.distinct())
    if len(councils) == 1:
        return councils[0]
    if not councils:
        raise CommandError("事業計画のある法人がありません。")
    names = "、".join(c.name for c in councils)
    raise CommandError(f"法人が複数あります（{names}）。--organization で指定してください。")


def secretariat_get(organization: Organization, username: str | None) -> User:
    users = User.objects.filter(
        organization=organization, role=User.Role.SECRETARIAT, is_active=True
    )
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"{organization.name}の事務局の利用者「{username}」が見つかりません。"
            )
        return user
    user = users.order_by("username").first()
    if user is None:
        raise CommandError(
            f"{organization.name}に事務局の利用者がいません。--user で指定してください。"
        )
    return user


def report_refused(command: BaseCommand, refused: ImportRefused) -> None:
    """Print every problem, then fail with a non-zero exit status."""
    for problem in refused.problems:
        command.stderr.write(str(problem))
    raise CommandError(
        f"取り込みませんでした（問題 {len(refused.problems)}件）。何も変更していません。"
    )


def check_quarter(quarter: int) -> int:
    if quarter not in (1, 2, 3, 4):
        raise CommandError("--quarter は 1〜4 で指定してください。")
    return quarter
