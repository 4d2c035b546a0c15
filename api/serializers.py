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


class InitiativeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class PlanItemSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="initiative.business.fiscal_year.year")
    organization = serializers.CharField(source="initiative.business.fiscal_year.organization.name")
    department = serializers.CharField(
        source="initiative.business.section.department.name", help_text="課"
    )
    section = serializers.CharField(source="initiative.business.section.name", help_text="係")
    business = BusinessSerializer(source="initiative.business")
    initiative = InitiativeSerializer(help_text="取り組み（番号と名称）")
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

    def get_target_reading(self, item: PlanItem) -> list[str]:
        return describe_target(item.parsed)


class ReasonSerializer(serializers.Serializer):
    quarter = serializers.IntegerField()
    text = serializers.CharField()


class ApprovedResultSerializer(serializers.Serializer):
    """A plan row at a quarter as approved by the 課長 (``api.selectors.ApprovedRow``)."""

    item = serializers.IntegerField(
        source="item.pk", help_text="計画の行の ID（/api/v1/items/ の id）"
    )
    key = serializers.UUIDField(source="item.key")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    approved = serializers.BooleanField(
        help_text="この四半期を課長が承認済みか（未承認なら実績は空で状況は未入力）"
    )
    target_text = serializers.CharField(
        help_text="この四半期に適用される目標値（補正があれば補正後）"
    )
    revised = serializers.BooleanField(help_text="目標の補正が適用されているか")
    quarter_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="この四半期の実績"
    )
    cumulative = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="この四半期までの累計（集計方法に従う）",
    )
    extra_cumulative = serializers.ListField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
        help_text="副次の数値の累計（目標値の2つ目以降の数）",
    )
    done = serializers.BooleanField(allow_null=True, help_text="実施・未実施の目標: 実施したか")
    status = serializers.CharField(
        help_text="状況（達成・順調・遅れ・未着手・予定前・未入力・中止・実施・未実施・目標なし）"
    )
    achievement_rate = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text="達成率（%）"
    )
    cancelled = serializers.BooleanField()
    cancel_reason = serializers.CharField(allow_blank=True)
    reasons = ReasonSerializer(many=True, help_text="理由・今後の対応（四半期ごと）")
