"""The read API (v1). Every list is scoped by ``access.token_businesses``."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from plans.models import FiscalYear, PlanItem

from .access import token_businesses
from .filters import PlanItemFilter, ResultFilter
from .selectors import approved_rows
from .serializers import ApprovedResultSerializer, FiscalYearSerializer, PlanItemSerializer


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class YearList(generics.ListAPIView):
    """年度: the fiscal years that have rows this token may read."""

    serializer_class = FiscalYearSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[FiscalYear]:
        if getattr(self, "swagger_fake_view", False):
            return FiscalYear.objects.none()
        businesses = token_businesses(self.request.auth)
        return (
            FiscalYear.objects.filter(businesses__in=businesses)
            .select_related("organization")
            .distinct()
            .order_by("organization__name", "year")
        )


def _plan_items(view) -> QuerySet[PlanItem]:
    if getattr(view, "swagger_fake_view", False):  # the schema generator has no token
        return PlanItem.objects.none()
    token = view.request.auth
    return (
        PlanItem.objects.filter(initiative__business__in=token_businesses(token))
        .select_related(
            "initiative__business__fiscal_year__organization",
            "initiative__business__section__department",
            "initiative__business__commissioned_by",
        )
        .order_by(
            "initiative__business__fiscal_year__organization__name",
            "initiative__business__fiscal_year__year",
            "initiative__business__section__department__order",
            "initiative__business__section__order",
            "initiative__business__order",
            "initiative__order",
            "initiative__number",
            "order",
            "id",
        )
    )


class PlanItemList(generics.ListAPIView):
    """計画の行: 項目・内容・目標値 with the target as understood, in the printed plan's order."""

    serializer_class = PlanItemSerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = PlanItemFilter

    def get_queryset(self) -> QuerySet[PlanItem]:
        return _plan_items(self)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "year", int, required=True, description="年度（西暦の開始年。2020 = 令和2年度）"
        ),
        OpenApiParameter("quarter", int, required=True, description="四半期（1〜4）"),
    ]
)
class ApprovedResultList(generics.ListAPIView):
    """承認済みの実績: each plan row of the year at the quarter, as the 課長 approved it.

    Rows of a section whose quarter is not approved come with ``approved`` false, no
    figures and the status 未入力: nothing unapproved ever leaves through the API.
    """

    serializer_class = ApprovedResultSerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResultFilter

    def get_queryset(self) -> QuerySet[PlanItem]:
        return _plan_items(self)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        quarter = int(request.query_params["quarter"])  # validated by ResultFilter
        page = self.paginate_queryset(queryset)
        rows = approved_rows(page, quarter=quarter)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
