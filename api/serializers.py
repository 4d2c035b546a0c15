"""What the API returns: plain read-only shapes, documented in the OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from plans.models import FiscalYear, PlanItem
from targets.display import describe_target


class FiscalYearSerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="和暦の年度（例: 令和2年度）")
    organization = serializers.CharField(source="organization.name", help_text="社会福祉協議会")

    class Meta:
        model = FiscalYear
        fields = ["year", "label", "organization"]


class BusinessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="事業名")
    commissioned_by = serializers.CharField(
        source="commissioned_by.name",
        allow_null=True,
        default=None,
        help_text="委託元（受託事業のとき）",
    )


class PlanItemSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="initiative.business.fiscal_year.year")
    organization = serializers.CharField(source="initiative.business.fiscal_year.organization.name")
    department = serializers.CharField(
        source="initiative.business.section.department.name", help_text="課"
    )
    section = serializers.CharField(source="initiative.business.section.name", help_text="係")
    business = BusinessSerializer(source="initiative.business")
    initiative = serializers.SerializerMethodField(help_text="取り組み（番号と名称）")
    target_reading = serializers.SerializerMethodField(help_text="目標値の読み取り（日本語の文）")

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "key",
            "year",
            "organization",
            "department",
            "section",
            "business",
            "initiative",
            "group",
            "name",
            "detail",
            "target_text",
            "target",
            "target_reading",
            "needs_review",
        ]

    def get_initiative(self, item: PlanItem) -> dict[str, object]:
        return {"number": item.initiative.number, "title": item.initiative.title}

    def get_target_reading(self, item: PlanItem) -> list[str]:
        return describe_target(item.parsed)
