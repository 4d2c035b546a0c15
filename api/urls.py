from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import token_views, views

app_name = "api"

urlpatterns = [
    path("v1/years/", views.YearList.as_view(), name="years"),
    path("v1/items/", views.PlanItemList.as_view(), name="items"),
    path("v1/results/", views.ApprovedResultList.as_view(), name="results"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
