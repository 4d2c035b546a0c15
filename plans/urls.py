from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_latest, name="latest"),
    path("<int:year>/", views.plan_year, name="year"),
    path("<int:year>/review/", views.review_list, name="review"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/structure/", views.item_structure, name="item_structure"),
    path("target-preview/", views.target_preview, name="target_preview"),
    path("audit/", views.audit_list, name="audit"),
    path("logins/", views.lockout_list, name="lockouts"),
    path("logins/unlock/", views.lockout_clear, name="lockout_clear"),
]
