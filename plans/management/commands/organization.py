"""The operator's command for councils, cities and the relations between them.

    python manage.py organization list
    python manage.py organization add 西東京市 --kind city
    python manage.py organization commission 西東京市社会福祉協議会 西東京市 [--remove]
    python manage.py organization collab 西東京市社会福祉協議会 西東京市 [--remove]

No council user and no import creates an organisation or a relation: only an operator,
here or in the Django admin (superusers only).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans import services
from plans.models import Organization, unknown_name_message

KINDS = {"council": Organization.Kind.COUNCIL, "city": Organization.Kind.CITY}


class Command(BaseCommand):
    help = "法人（社会福祉協議会・市区町村）と、委託関係・協働事業の閲覧を登録します（システム管理者用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="法人と関係の一覧")
        add = sub.add_parser("add", help="法人を登録")
        add.add_argument("name", help="名称（例: 西東京市）")
        add.add_argument("--kind", choices=sorted(KINDS), required=True, help="council または city")
        add.add_argument("--short-name", default="", help="略称")
        commission = sub.add_parser("commission", help="委託関係（委託元 → 社協）を登録")
        commission.add_argument("council", help="受託する社協の名称")
        commission.add_argument("commissioner", help="委託元の名称")
        commission.add_argument("--remove", action="store_true", help="登録を削除")
        collab = sub.add_parser("collab", help="社協が市の協働事業一覧を閲覧できるように登録")
        collab.add_argument("council", help="閲覧する社協の名称")
        collab.add_argument("city", help="市の名称")
        collab.add_argument("--remove", action="store_true", help="登録を削除")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _list(self, **options) -> None:
        for org in Organization.objects.prefetch_related(
            "commissions_received__commissioner", "collaboration_grants__city"
        ):
            self.stdout.write(f"{org.name}（{org.get_kind_display()}）")
            for commission in org.commissions_received.all():
                self.stdout.write(f"  委託元: {commission.commissioner.name}")
            for grant in org.collaboration_grants.all():
                self.stdout.write(f"  協働事業を閲覧: {grant.city.name}")

    def _add(self, *, name: str, kind: str, short_name: str, **options) -> None:
        org = services.organization_create(name=name, kind=KINDS[kind], short_name=short_name)
        self.stdout.write(
            self.style.SUCCESS(f"{org.name}（{org.get_kind_display()}）を登録しました。")
        )

    def _commission(self, *, council: str, commissioner: str, remove: bool, **options) -> None:
        council_org = _get(council, Organization.Kind.COUNCIL)
        body = _get(commissioner, None)
        if remove:
            services.commission_remove(council=council_org, commissioner=body)
            self.stdout.write(f"委託関係「{body.name} → {council_org.name}」を削除しました。")
        else:
            services.commission_add(council=council_org, commissioner=body)
            self.stdout.write(f"委託関係「{body.name} → {council_org.name}」を登録しました。")

    def _collab(self, *, council: str, city: str, remove: bool, **options) -> None:
        council_org = _get(council, Organization.Kind.COUNCIL)
        city_org = _get(city, Organization.Kind.CITY)
        if remove:
            services.collaboration_grant_remove(council=council_org, city=city_org)
            self.stdout.write(
                f"{council_org.name} の {city_org.name} の協働事業の閲覧を削除しました。"
            )
        else:
            services.collaboration_grant_add(council=council_org, city=city_org)
            self.stdout.write(f"{council_org.name} が {city_org.name} の協働事業を閲覧できます。")


def _get(name: str, kind: Organization.Kind | None) -> Organization:
    organizations = Organization.objects.all()
    if kind is not None:
        organizations = organizations.filter(kind=kind)
    found = organizations.filter(name=name).first()
    if found is None:
        what = {None: "法人", Organization.Kind.COUNCIL: "社協", Organization.Kind.CITY: "市"}[kind]
        known = list(organizations.order_by("name").values_list("name", flat=True))
        raise CommandError(unknown_name_message(what, name, known, scope=""))
    return found
