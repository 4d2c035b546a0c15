"""Query parameters of the API lists (django-filter): bad values answer 400, never 500."""

from __future__ import annotations

import django_filters

from plans.models import PlanItem


class PlanItemFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="initiative__business__fiscal_year__year", label="年度（西暦の開始年）"
    )
    business = django_filters.NumberFilter(field_name="initiative__business_id", label="事業のID")
    section = django_filters.NumberFilter(
        field_name="initiative__business__section_id", label="係のID"
    )
    commissioner = django_filters.CharFilter(
        field_name="initiative__business__commissioned_by__name", label="委託元の名称"
    )

    class Meta:
        model = PlanItem
        fields = ["year", "business", "section", "commissioner"]


class ResultFilter(PlanItemFilter):
    """The plan rows' filters, with the year and the quarter required."""

    year = django_filters.NumberFilter(
        field_name="initiative__business__fiscal_year__year",
        label="年度（西暦の開始年）",
        required=True,
    )
    quarter = django_filters.ChoiceFilter(
        label="四半期",
        choices=[(q, f"第{q}四半期") for q in (1, 2, 3, 4)],
        required=True,
        method="keep_quarter",
    )

    class Meta(PlanItemFilter.Meta):
        fields = ["year", "quarter", "business", "section", "commissioner"]

    def keep_quarter(self, queryset, name, value):
        return queryset  # the quarter chooses the figures, not the rows
