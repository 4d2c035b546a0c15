"""What the 帳票 commands share: finding the council and reporting refused imports."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Organization, User

from ... import pdf
from ...imports import ImportRefused
from ...services import as_pdf


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


def export_to(output: str, export, **arguments):
    """Run an ``*_export`` service into ``output``: printed as PDF when it ends in .pdf."""
    if not output.lower().endswith(".pdf"):
        return export(output=output, **arguments)
    try:
        return as_pdf(export, output=output, **arguments)
    except pdf.PdfUnavailable as error:
        raise CommandError(
            "PDF の作成には LibreOffice が必要です（scripts/ensure-print.sh でインストールします）。"
        ) from error
    except pdf.PdfFailed as error:
        raise CommandError(f"PDF を作成できませんでした: {error}") from error
